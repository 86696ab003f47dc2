/**
 * Worker for the PostgreSQL outage test: a client that keeps working while the test stops,
 * restarts and freezes the server. Step i alternates a commit (`createTask('r<i>')`) and a read
 * (`listTasks`), and prints one JSON line per step: `{ i, op, ok, ms, error }` where `error` is
 * `{ name, kind, message }` of what the call threw. A line on stdin ends the loop; the worker then
 * closes its store and exits by itself (a hung socket or timer would keep it alive).
 *
 * argv[2] (JSON): { url, schema, session, timeoutMs }
 */
import { createInterface } from 'node:readline';
import { TaskError, TaskManager } from '../../src/index.js';
import { PostgresTaskStore } from '../../src/store/postgres/index.js';

interface Config {
  url: string;
  schema: string;
  session: string;
  timeoutMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const store = new PostgresTaskStore({ connectionString: config.url }, { schema: config.schema, timeoutMs: config.timeoutMs });
const manager = new TaskManager('.', { store });
let stop = false;
const lines = createInterface({ input: process.stdin });
lines.once('line', () => {
  stop = true;
  lines.close();
});

for (let i = 0; !stop; i++) {
  const op = i % 2 === 0 ? 'create' : 'list';
  const t0 = performance.now();
  let error: { name: string; kind: string | null; message: string } | null = null;
  try {
    if (op === 'create') await manager.createTask(config.session, `r${i}`, 'outage test');
    else await manager.listTasks(config.session);
  } catch (e) {
    const err = e as Error;
    error = { name: err.name, kind: e instanceof TaskError ? e.kind : null, message: err.message };
  }
  const ms = Math.round(performance.now() - t0);
  process.stdout.write(`${JSON.stringify({ i, op, name: `r${i}`, ok: error === null, ms, error })}\n`);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await store.close();
process.stdout.write('closed\n');
