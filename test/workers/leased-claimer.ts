/**
 * Worker of the leased-claims fleet test: one agent of a fleet claiming with a lease, with a
 * history-keeping manager.
 *
 * Config (argv[2], JSON): { baseDir, session, agent, leaseMs, victim }
 * Prints `ready` once it has read the session, then waits for `go` on stdin.
 * - A victim first claims one task, prints `CLAIMED <id> <token>` and waits for `resume` on stdin
 *   (the test stops it with SIGSTOP meanwhile, until its lease has run out and another agent has
 *   taken the task over), then tries to complete the task with its old token and prints
 *   `LATE {"refused":bool,"message":string|null}`; then it works like any agent.
 * - An agent claims tasks with the lease and completes each with its claim token, until every task
 *   of the session is finished, then prints `REPORT {"completed":[ids],"lost":[ids]}`.
 */
import { createInterface } from 'node:readline';
import { InvalidInputError, TaskManager, readClaim } from '../../src/index.js';

interface Config {
  baseDir: string;
  session: string;
  agent: string;
  leaseMs: number;
  victim: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const { session, agent, leaseMs } = config;
const manager = new TaskManager(config.baseDir, { history: true, durability: 'none', lock: { timeoutMs: 120_000 } });
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function waitFor(word: string): Promise<void> {
  for (;;) {
    const next = await lines.next();
    if (next.done === true) throw new Error(`stdin ended before '${word}'`);
    if (next.value.trim() === word) return;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Completes `id` fenced by `token`; the refusal's message when the claim was lost. */
async function complete(id: string, token: number): Promise<string | null> {
  try {
    await manager.recordTaskResult(session, id, true, `done by ${agent}`, 1, 1, { claimToken: token });
    return null;
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
}

await manager.listTasks(session);
process.stdout.write('ready\n');
await waitFor('go');

const completed: string[] = [];
const lost: string[] = [];
if (config.victim) {
  const task = await manager.claimNextTask(session, agent, { leaseMs });
  if (task === null) throw new Error('the victim found nothing to claim');
  const token = readClaim(task)!.token;
  process.stdout.write(`CLAIMED ${task.id} ${token}\n`);
  await waitFor('resume');
  const message = await complete(task.id, token);
  (message === null ? completed : lost).push(task.id);
  process.stdout.write(`LATE ${JSON.stringify({ refused: message !== null, message })}\n`);
}
for (;;) {
  const task = await manager.claimNextTask(session, agent, { leaseMs });
  if (task === null) {
    const open = (await manager.listTasks(session)).filter((t) => t.status !== 'Completed' && t.status !== 'Cancelled');
    if (open.length === 0) break;
    // Someone holds the rest: wait a little for their leases to end or their work to finish.
    await sleep(50);
    continue;
  }
  await sleep(5 + Math.floor(Math.random() * 25)); // the work
  const refused = await complete(task.id, readClaim(task)!.token);
  (refused === null ? completed : lost).push(task.id);
}
process.stdout.write(`REPORT ${JSON.stringify({ completed, lost })}\n`);
process.exit(0);
