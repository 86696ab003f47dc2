/**
 * Campaign worker for the history kill loop: commits forever with a history-keeping manager, one
 * operation per commit: creates tasks up to 6, then moves a random task to another status, or
 * takes, renews or releases a leased claim on it (leases of 1 ms run out at once, so the next
 * write to the task records the expiry). Refusals (a task not ready, a claim lost) commit nothing.
 *
 * Config (argv[2], JSON): { baseDir, session, staleMs }
 */
import { InvalidInputError, TaskManager, readClaim, type TaskStatus } from '../../src/index.js';

interface Config {
  baseDir: string;
  session: string;
  staleMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const manager = new TaskManager(config.baseDir, { history: true, lock: { staleMs: config.staleMs, timeoutMs: 60_000 } });
const STATUSES: TaskStatus[] = ['NotStarted', 'InProgress', 'Completed'];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

await manager.listTasks(config.session);
process.stdout.write('ready\n');

for (;;) {
  const tasks = await manager.listTasks(config.session);
  if (tasks.length < 6) {
    await manager.createTask(config.session, `t${tasks.length}`, '');
    continue;
  }
  const task = pick(tasks);
  const claim = readClaim(task);
  const roll = Math.random();
  try {
    if (roll < 0.5) await manager.updateTaskStatus(config.session, task.id, pick(STATUSES.filter((s) => s !== task.status)));
    else if (roll < 0.7) await manager.claimTask(config.session, task.id, pick(['a1', 'a2']), { leaseMs: pick([1, 60_000]) });
    else if (roll < 0.85 && claim !== null) await manager.renewClaim(config.session, task.id, claim.token, 60_000);
    else if (claim !== null) await manager.releaseClaim(config.session, task.id, claim.token);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
  }
}
