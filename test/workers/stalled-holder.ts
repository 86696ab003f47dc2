/**
 * Worker for the lost-lock tests: opens a batch on a session (so it holds the session's lock),
 * creates a task `holder` in it, prints `locked`, then stalls while holding the lock: `busy` spins
 * synchronously (its event loop cannot refresh the lock) until `goFile` exists; `sleep` waits
 * `holdMs` (the test stops it with SIGSTOP meanwhile). Then it tries to commit and prints the
 * outcome as one JSON line: `{ ok }` or `{ ok: false, kind, message }`.
 *
 * Config (argv[2], JSON): { baseDir, session, staleMs, mode: 'busy' | 'sleep', goFile, holdMs }
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskError, TaskManager } from '../../src/index.js';

interface Config {
  baseDir: string;
  session: string;
  staleMs: number;
  mode: 'busy' | 'sleep';
  goFile: string;
  holdMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const manager = new TaskManager(config.baseDir, { lock: { staleMs: config.staleMs, timeoutMs: 60_000 } });
try {
  await manager.batch(config.session, async (tx) => {
    tx.createTask('holder', 'created while holding the lock');
    process.stdout.write('locked\n');
    if (config.mode === 'busy') {
      while (!fs.existsSync(config.goFile)) {
        // a long synchronous computation: the lock's refresh timer cannot run
      }
    } else {
      await sleep(config.holdMs);
    }
  });
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (error) {
  const e = error as TaskError;
  process.stdout.write(`${JSON.stringify({ ok: false, isTaskError: error instanceof TaskError, kind: e.kind, message: e.message })}\n`);
}
