/**
 * Campaign worker: opens a batch on a session (so it holds the session's lock), creates a task in
 * it, prints `locked`, keeps the batch open for `holdMs`, then commits and prints `committed`.
 *
 * Config (argv[2], JSON): { baseDir, session, holdMs, staleMs, name }
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskManager } from '../../src/index.js';

interface Config {
  baseDir: string;
  session: string;
  holdMs: number;
  staleMs: number;
  name: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const manager = new TaskManager(config.baseDir, { lock: { staleMs: config.staleMs, timeoutMs: 60_000 } });
await manager.batch(config.session, async (tx) => {
  tx.createTask(config.name, 'created while holding the lock');
  process.stdout.write('locked\n');
  await sleep(config.holdMs);
});
process.stdout.write('committed\n');
