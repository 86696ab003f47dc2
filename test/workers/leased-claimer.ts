/**
 * Worker for the leased-claims process test.
 *
 * argv: <baseDir> <session> <agentId> <leaseMs> <mode>
 * - mode `worker`: claims tasks with a lease and completes each with its claim token, until every
 *   task of the session is finished; prints `{"completed":[ids],"lost":[ids]}` on stdout.
 * - mode `victim`: claims one task, prints `CLAIMED <id> <token>` on a line, waits for a line on
 *   stdin (meanwhile the test stops and resumes it), then tries to complete the task with its old
 *   token and prints `{"refused":bool,"message":string}`.
 */
import { createInterface } from 'node:readline';
import { InvalidInputError, TaskManager } from '../../src/index.js';

const [baseDir, session, agent, leaseText, mode] = process.argv.slice(2) as [string, string, string, string, string];
const leaseMs = Number(leaseText);
const manager = new TaskManager(baseDir, { durability: 'none' });

function tokenOf(task: { metadata: unknown }): number {
  return (task.metadata as { claim: { token: number } }).claim.token;
}

async function complete(id: string, token: number): Promise<string | null> {
  try {
    await manager.recordTaskResult(session, id, true, `done by ${agent}`, 1, 1, { claimToken: token });
    return null;
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
}

if (mode === 'victim') {
  const task = await manager.claimNextTask(session, agent, { leaseMs });
  if (task === null) throw new Error('victim found nothing to claim');
  const token = tokenOf(task);
  process.stdout.write(`CLAIMED ${task.id} ${token}\n`);
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
  const message = await complete(task.id, token);
  process.stdout.write(`${JSON.stringify({ refused: message !== null, message })}\n`);
} else {
  const completed: string[] = [];
  const lost: string[] = [];
  for (;;) {
    const task = await manager.claimNextTask(session, agent, { leaseMs });
    if (task === null) {
      const open = (await manager.listTasks(session)).filter((t) => t.status !== 'Completed' && t.status !== 'Cancelled');
      if (open.length === 0) break;
      // Someone holds the rest: wait a little for their leases to end or their work to finish.
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    const refused = await complete(task.id, tokenOf(task));
    (refused === null ? completed : lost).push(task.id);
  }
  process.stdout.write(JSON.stringify({ completed, lost }));
}
