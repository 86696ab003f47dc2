/**
 * Worker for the PostgreSQL claim test: claims tasks of one session until nothing is ready, then
 * prints the claimed ids as a JSON array. With `wait`, it first prints `ready` and starts only
 * when a line arrives on stdin (so the benchmark can time the claims without the start-up), and
 * before the ids prints `times <JSON array>`: when each claim returned, in ms since the epoch.
 *
 * argv[2] (JSON): { schema, session, agent, wait? }; env GESTURA_TEST_DATABASE_URL.
 */
import { createInterface } from 'node:readline';
import { TaskManager } from '../../src/index.js';
import { PostgresTaskStore } from '../../src/store/postgres/index.js';

interface Config {
  schema: string;
  session: string;
  agent: string;
  wait?: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const connectionString = process.env.GESTURA_TEST_DATABASE_URL;
if (connectionString === undefined) throw new Error('GESTURA_TEST_DATABASE_URL is not set');

const store = new PostgresTaskStore({ connectionString }, { schema: config.schema });
const manager = new TaskManager('.', { store });
const claimed: string[] = [];
const times: number[] = [];
try {
  if (config.wait === true) {
    await manager.listTasks(config.session); // connect and load before the start signal
    process.stdout.write('ready\n');
    const lines = createInterface({ input: process.stdin });
    await new Promise<void>((resolve) => lines.once('line', () => resolve()));
    lines.close();
  }
  for (;;) {
    const task = await manager.claimNextTask(config.session, config.agent);
    if (task === null) break;
    if (task.agent_id !== config.agent || task.status !== 'InProgress') throw new Error(`bad claim ${JSON.stringify(task)}`);
    claimed.push(task.id);
    times.push(performance.timeOrigin + performance.now());
  }
} finally {
  await store.close();
}
if (config.wait === true) process.stdout.write(`times ${JSON.stringify(times)}\n`);
process.stdout.write(`${JSON.stringify(claimed)}\n`);
