/**
 * Worker for the PostgreSQL kill test: commits forever on one session, each commit changing many
 * rows together, so a commit that landed only in part would be visible. Commit k renames each of
 * the tasks `w<j>@<k-1>` to `w<j>@<k>` and sets its metadata to `{ n: k, filler }` (a random-sized
 * filler, so writes differ in length), creates task `c<k>`, and when k % 4 === 0 deletes `c<k-2>`.
 * It prints `tx <k>` from inside the transaction, `write <k>` and `commit <k>` just before the
 * commit's write statement and its COMMIT go to the server (together, in one round trip) (the test kills it some time after one
 * of those lines), and `ok <k>` once the commit returned. It picks up from the stored state, so a killed worker's
 * successor continues the same history.
 *
 * argv[2] (JSON): { schema, session, history }; env GESTURA_TEST_DATABASE_URL.
 */
import pg from 'pg';
import { TaskManager } from '../../src/index.js';
import { PostgresTaskStore } from '../../src/store/postgres/index.js';

interface Config {
  schema: string;
  session: string;
  history: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const connectionString = process.env.GESTURA_TEST_DATABASE_URL;
if (connectionString === undefined) throw new Error('GESTURA_TEST_DATABASE_URL is not set');

const store = new PostgresTaskStore({ connectionString }, { schema: config.schema, history: config.history });
const manager = new TaskManager('.', { store });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Announce the statements that matter before they are sent (pg's query(config) or query(text)).
let k = 0;
const clientProto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const send = clientProto.query;
clientProto.query = function announced(this: unknown, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : typeof first === 'object' && first !== null ? String((first as { text?: unknown }).text ?? '') : '';
  // The store sends the write statement and COMMIT together, in one round trip (one text, the
  // statements joined by ';\n'): both lines then come out before it goes.
  const statements = text.split(';\n');
  if (statements.some((s) => s.startsWith('WITH'))) process.stdout.write(`write ${k}\n`);
  if (statements.includes('COMMIT')) process.stdout.write(`commit ${k}\n`);
  return send.apply(this, args);
};

const first = (await manager.listTasks(config.session)).find((t) => t.name.startsWith('w0@'));
if (first === undefined) throw new Error('the session has no w0 task');
let n = Number(first.name.slice('w0@'.length));
process.stdout.write(`ready ${n}\n`);

for (;;) {
  k = n + 1;
  await manager.batch(config.session, async (tx) => {
    process.stdout.write(`tx ${k}\n`);
    // Sometimes keep the transaction open a moment before changing anything.
    if (Math.random() < 0.3) await sleep(Math.floor(Math.random() * 4));
    const byName = new Map(tx.listTasks().map((t) => [t.name, t]));
    for (let j = 0; ; j++) {
      const task = byName.get(`w${j}@${k - 1}`);
      if (task === undefined) break;
      tx.updateTask(task.id, `w${j}@${k}`);
      tx.updateTaskMetadata(task.id, { n: k, filler: 'x'.repeat(Math.floor(Math.random() * 20_000)) });
    }
    tx.createTask(`c${k}`, `commit ${k}`);
    if (k % 4 === 0) {
      const old = byName.get(`c${k - 2}`);
      if (old === undefined) throw new Error(`c${k - 2} is missing`);
      tx.deleteTask(old.id);
    }
  });
  process.stdout.write(`ok ${k}\n`);
  n = k;
}
