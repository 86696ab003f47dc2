/**
 * Campaign worker for the kill loop: commits forever, one batch per step, and appends the number
 * of each commit to a log only after the commit returned. The state after commit k is a function
 * of k (see `expectedAfter` in the test): task `counter` holds `{ n: k }`, tasks `c1 … ck` exist
 * except every fifth one, deleted four steps later; every third step completes the previous one.
 * A random-sized filler makes writes of very different lengths. Picks up from the file, so a
 * killed worker's successor continues the same history.
 *
 * Config (argv[2], JSON): { baseDir, session, log, staleMs }
 */
import fs from 'node:fs';
import { TaskManager } from '../../src/index.js';

interface Config {
  baseDir: string;
  session: string;
  log: string;
  staleMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const manager = new TaskManager(config.baseDir, { lock: { staleMs: config.staleMs, timeoutMs: 60_000 } });

const tasks = await manager.listTasks(config.session);
const counter = tasks.find((t) => t.name === 'counter');
let n = counter ? (counter.metadata as { n: number }).n : 0;
process.stdout.write('ready\n');

for (;;) {
  const k = n + 1;
  await manager.batch(config.session, (tx) => {
    const list = tx.listTasks();
    const byName = new Map(list.map((t) => [t.name, t]));
    const counterTask = byName.get('counter') ?? tx.createTask('counter', 'commit counter');
    tx.createTask(`c${k}`, `commit ${k}`);
    if (k % 3 === 0 && byName.has(`c${k - 1}`)) tx.updateTaskStatus(byName.get(`c${k - 1}`)!.id, 'Completed');
    if (k % 5 === 4 && byName.has(`c${k - 4}`)) tx.deleteTask(byName.get(`c${k - 4}`)!.id);
    tx.updateTaskMetadata(counterTask.id, { n: k, filler: 'x'.repeat(Math.floor(Math.random() * 30_000)) });
  });
  fs.appendFileSync(config.log, `${k}\n`);
  n = k;
}
