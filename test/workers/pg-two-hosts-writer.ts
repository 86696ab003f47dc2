/**
 * Worker for the PostgreSQL many-hosts test: one process playing two hosts. It opens two stores
 * on the same schema (two separate connection pools, as two machines would have) and alternates
 * between them: change i goes through host i % 2. Each change is one commit that creates task
 * `<prefix>-<i>` and makes the shared task wait for it (a read-modify-write of one row that every
 * process touches). Prints `done <prefix>` at the end.
 *
 * argv[2] (JSON): { schema, session, prefix, count, sharedId }; env GESTURA_TEST_DATABASE_URL.
 */
import { TaskManager } from '../../src/index.js';
import { PostgresTaskStore } from '../../src/store/postgres/index.js';

interface Config {
  schema: string;
  session: string;
  prefix: string;
  count: number;
  sharedId: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const connectionString = process.env.GESTURA_TEST_DATABASE_URL;
if (connectionString === undefined) throw new Error('GESTURA_TEST_DATABASE_URL is not set');

const stores = [0, 1].map(() => new PostgresTaskStore({ connectionString }, { schema: config.schema }));
const hosts = stores.map((store) => new TaskManager('.', { store }));
try {
  for (let i = 0; i < config.count; i++) {
    await (hosts[i % 2] as TaskManager).batch(config.session, (tx) => {
      const task = tx.createTask(`${config.prefix}-${i}`, `host ${i % 2} of pid ${process.pid}`);
      tx.addTaskDependency(config.sharedId, task.id);
    });
  }
} finally {
  await Promise.all(stores.map((s) => s.close()));
}
process.stdout.write(`done ${config.prefix}\n`);
