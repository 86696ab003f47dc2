/**
 * Worker for the short-write test, started under a file-size limit (`ulimit -f`): creates a task
 * whose description is `size` bytes, so the temporary file hits the limit part way (a short
 * write, then EFBIG, as when a disk fills). Prints the outcome as one JSON line.
 *
 * Config (argv[2], JSON): { baseDir, session, size }
 */
import { TaskError, TaskManager } from '../../src/index.js';

// A full disk fails the write with ENOSPC; the stand-in, a file-size limit, would also send
// SIGXFSZ, which kills by default: handled, the write fails with EFBIG instead.
process.on('SIGXFSZ', () => undefined);

const config = JSON.parse(process.argv[2] ?? '{}') as { baseDir: string; session: string; size: number };
const manager = new TaskManager(config.baseDir);
try {
  await manager.createTask(config.session, 'big', 'x'.repeat(config.size));
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (error) {
  const e = error as TaskError;
  process.stdout.write(`${JSON.stringify({ ok: false, isTaskError: error instanceof TaskError, kind: e.kind, message: e.message })}\n`);
}
