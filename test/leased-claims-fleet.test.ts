/**
 * Leased claims and history across real processes (README "Leased claims" and "History"): a fleet
 * of 8 agents claims the tasks of one session with 2 s leases; 2 of them are stopped (SIGSTOP)
 * holding a task, and resumed (SIGCONT) only once their lease ran out and another agent took the
 * task over and completed it. Then:
 * - every task is completed exactly once, by exactly one agent, and none is left claimed or open;
 * - each late write of a stopped agent is refused, and the agent sees why: its claim was lost, and
 *   which agent holds (or held) the task since;
 * - the history of every task tells that story in order: created → claim_taken → (claim_expired →
 *   claim_taken by another agent)* → status Completed by the last holder; a refused write leaves
 *   no entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskManager, readClaim, type HistoryEntry, type Task } from '../src/index.js';
import { bundledLauncher, removeTempDirs, tempDir, type Launcher } from './campaign/harness.js';
import { startNode, type LiveChild } from './helpers/live-child.js';

afterAll(removeTempDirs);

const S = 'fleet';
const AGENTS = 8;
const VICTIMS = 2;
const LEASE_MS = 2000;
const TASKS = 40;

interface Agent extends LiveChild {
  readonly name: string;
  send(word: string): void;
  /** The first stdout line starting with `prefix` (seen or coming); rejects if the agent exits first. */
  line(prefix: string): Promise<string>;
}

function startAgent(launcher: Launcher, config: Record<string, unknown>): Agent {
  const live = startNode([...launcher.args, JSON.stringify(config)]);
  return {
    ...live,
    name: config.agent as string,
    send: (word) => void live.child.stdin.write(`${word}\n`),
    line: (prefix) => live.waitForLine((l) => l.startsWith(prefix)),
  };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * Checks that `entries` (one task's history, oldest first) tell a claim story: created, then rounds
 * of claim_taken by an agent ended by claim_expired (its agent named) or by its completion, the
 * last round completed by its holder. Returns the holder of each round, in order.
 */
function claimRounds(task: Task, entries: readonly HistoryEntry[]): string[] {
  const story = entries.map((e) => `${e.change.type}${'to' in e.change ? `:${e.change.to}` : ''}@${e.actor}`);
  const where = `history of ${task.id}: ${story.join(' → ')}`;
  expect(entries[0]?.change, where).toEqual({ type: 'created', name: task.name });
  const holders: string[] = [];
  let i = 1;
  for (;;) {
    const taken = entries[i++];
    expect(taken?.change.type, where).toBe('claim_taken');
    const holder = taken!.actor as string;
    const token = (taken!.change as { token: number }).token;
    holders.push(holder);
    // The first claim starts the task; a take-over finds it in progress already.
    if (entries[i]?.change.type === 'status_changed' && (entries[i]!.change as { to: string }).to === 'InProgress') {
      expect(entries[i]!.actor, where).toBe(holder);
      i++;
    }
    const end = entries[i++];
    if (end?.change.type === 'claim_expired') {
      expect(end.change, where).toEqual({ type: 'claim_expired', token });
      expect(end.actor, where).toBe(holder);
      continue;
    }
    expect(end?.change, where).toEqual({ type: 'status_changed', from: 'InProgress', to: 'Completed' });
    expect(end?.actor, where).toBe(holder);
    expect(i, `${where}: nothing after the completion`).toBe(entries.length);
    return holders;
  }
}

describe('a fleet of leased agents, two of them stopped past their lease', () => {
  let launcher: Launcher;
  beforeAll(async () => {
    launcher = await bundledLauncher('leased-claimer', tempDir('fleet-bundle'));
  });

  it(`${AGENTS} agents, ${LEASE_MS / 1000} s leases, ${VICTIMS} SIGSTOPped mid-task: each task done once, late writes refused, history tells it`, { timeout: 120_000 }, async () => {
    const dir = tempDir('fleet');
    const manager = new TaskManager(dir, { history: true });
    const ids = await manager.batch(S, (tx) => Array.from({ length: TASKS }, (_, i) => tx.createTask(`task ${i}`, '').id));

    const agents = Array.from({ length: AGENTS }, (_, i) =>
      startAgent(launcher, { baseDir: dir, session: S, agent: i < VICTIMS ? `victim-${i + 1}` : `agent-${i + 1}`, leaseMs: LEASE_MS, victim: i < VICTIMS }),
    );
    try {
      await Promise.all(agents.map((a) => a.line('ready')));
      const victims = agents.slice(0, VICTIMS);
      // The victims claim a task each and are stopped while they hold it, in the middle of their work.
      const held = new Map<Agent, { task: string; token: number }>();
      for (const v of victims) v.send('go');
      for (const v of victims) {
        const [, task, token] = /^CLAIMED (\S+) (\d+)$/.exec(await v.line('CLAIMED ')) ?? [];
        v.child.kill('SIGSTOP');
        held.set(v, { task: task!, token: Number(token) });
      }
      // The rest of the fleet works; the stopped holders' leases run out, others take their tasks
      // over and complete them.
      for (const a of agents.slice(VICTIMS)) a.send('go');
      await until(async () => {
        const tasks = await manager.listTasks(S);
        return victims.every((v) => tasks.find((t) => t.id === held.get(v)!.task)?.status === 'Completed');
      });
      const afterTakeOver = await manager.history(S);

      // Resumed, each stopped agent tries its late write: refused, and told who has the task.
      for (const v of victims) {
        v.child.kill('SIGCONT');
        v.send('resume');
      }
      const codes = await Promise.all(agents.map((a) => a.exited));
      for (const [i, { code }] of codes.entries()) expect(code, agents[i]!.stderr()).toBe(0);
      const final = await manager.listTasks(S);
      const history = await manager.history(S);

      for (const v of victims) {
        const { task, token } = held.get(v)!;
        const late = JSON.parse((await v.line('LATE ')).slice('LATE '.length)) as { refused: boolean; message: string };
        expect(late.refused).toBe(true);
        const completer = final.find((t) => t.id === task)!.agent_id!;
        expect(completer).not.toBe(v.name);
        expect(late.message).toContain(`claim lost: token ${token} is not the live claim of task '${task}'`);
        expect(late.message).toMatch(new RegExp(`agent '${completer}' (holds it now|held it) with token \\d+`));
        // The refused write left no entry: the history did not grow for that task after the take-over.
        expect(history.filter((e) => e.task_id === task)).toEqual(afterTakeOver.filter((e) => e.task_id === task));
      }

      // Every task completed exactly once, by one agent, none left claimed, open or ready.
      const reports = agents.map((a) => JSON.parse(a.lines.find((l) => l.startsWith('REPORT '))!.slice('REPORT '.length)) as { completed: string[] });
      const completed = reports.flatMap((r) => r.completed);
      expect([...completed].sort()).toEqual([...ids].sort());
      expect(await manager.readyTasks(S)).toEqual([]);
      for (const task of final) {
        expect(task.status).toBe('Completed');
        const by = agents[reports.findIndex((r) => r.completed.includes(task.id))]!.name;
        expect(task.agent_id).toBe(by);
        expect(readClaim(task)?.agent_id).toBe(by);
        expect((task.metadata as { output: string }).output).toBe(`done by ${by}`);
      }

      // The history of every task tells its story in order, the completer last.
      const taken: string[] = [];
      for (const task of final) {
        const own = history.filter((e) => e.task_id === task.id).reverse();
        const holders = claimRounds(task, own);
        expect(holders.at(-1)).toBe(task.agent_id);
        taken.push(...holders);
        const completions = own.filter((e) => e.change.type === 'status_changed' && (e.change as { to: string }).to === 'Completed');
        expect(completions).toHaveLength(1);
      }
      // The stopped agents' tasks: taken by the victim, expired with its token, taken over by
      // another agent, completed by that agent.
      for (const v of victims) {
        const { task, token } = held.get(v)!;
        const t = final.find((x) => x.id === task)!;
        const own = history.filter((e) => e.task_id === task).reverse();
        const holders = claimRounds(t, own);
        expect(holders[0]).toBe(v.name);
        expect(holders.length).toBeGreaterThanOrEqual(2);
        expect(holders[1]).not.toBe(v.name);
        expect(own.find((e) => e.change.type === 'claim_expired')?.change).toEqual({ type: 'claim_expired', token });
        expect(own.filter((e) => e.actor === v.name).map((e) => e.change.type)).toEqual(['claim_taken', 'status_changed', 'claim_expired']);
      }
      console.info(`[fleet] ${TASKS} tasks, ${AGENTS} agents: ${taken.length} claims, ${taken.length - TASKS} taken over after a lease ran out`);
    } finally {
      for (const a of agents) {
        if (a.child.exitCode === null && a.child.signalCode === null) {
          a.child.kill('SIGCONT');
          a.child.kill('SIGKILL');
        }
      }
    }
  });
});
