/**
 * Campaign worker: runs one operation on a session and prints the outcome as one JSON line
 * (`{ ok, name, kind, message, path, fieldPath }`). The permission tests start it as an
 * unprivileged user, because root ignores file permission bits.
 *
 * Config (argv[2], JSON): { baseDir, session, action: 'read' | 'write' }
 */
import { TaskError, TaskManager } from '../../src/index.js';

interface Config {
  baseDir: string;
  session: string;
  action: 'read' | 'write';
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const manager = new TaskManager(config.baseDir, { lock: { staleMs: 2000, timeoutMs: 5000 } });
try {
  if (config.action === 'read') await manager.listTasks(config.session);
  else await manager.createTask(config.session, 'probe', 'x');
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (error) {
  const e = error as TaskError & { path?: string; fieldPath?: string };
  process.stdout.write(
    `${JSON.stringify({ ok: false, isTaskError: error instanceof TaskError, name: e.name, kind: e.kind, message: e.message, path: e.path, fieldPath: e.fieldPath })}\n`,
  );
}
