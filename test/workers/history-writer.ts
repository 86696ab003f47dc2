/**
 * Campaign worker for the history kill loop: commits forever with a history-keeping manager, one
 * operation per commit: creates tasks up to 6, then moves a random task to another status.
 *
 * Config (argv[2], JSON): { baseDir, session, staleMs }
 */
import { TaskManager, type TaskStatus } from '../../src/index.js';

interface Config {
  baseDir: string;
  session: string;
  staleMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const manager = new TaskManager(config.baseDir, { history: true, lock: { staleMs: config.staleMs, timeoutMs: 60_000 } });
const STATUSES: TaskStatus[] = ['NotStarted', 'InProgress', 'Completed'];

await manager.listTasks(config.session);
process.stdout.write('ready\n');

for (;;) {
  const tasks = await manager.listTasks(config.session);
  if (tasks.length < 6) {
    await manager.createTask(config.session, `t${tasks.length}`, '');
    continue;
  }
  const task = tasks[Math.floor(Math.random() * tasks.length)]!;
  const others = STATUSES.filter((s) => s !== task.status);
  await manager.updateTaskStatus(config.session, task.id, others[Math.floor(Math.random() * others.length)]!);
}
