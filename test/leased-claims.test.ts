/** Leased claims: lease, renewal, release, expiry without timers, fencing tokens (README, "Leased claims"). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, readClaim, TaskManager, type Clock, type Task } from '../src/index.js';
import { formatTimestamp, timestampToNanos } from '../src/schema/timestamp.js';
import { cleanTempDirsAfterEach, counterIds, tempDir } from './helpers/env.js';
import { repoRoot } from './helpers/spawn-tsx.js';
import { managerOn, MODEL_STORES, type StoreKind } from './helpers/stores.js';

cleanTempDirsAfterEach();

const S = 'sess';

/** A clock that steps 1 µs per reading and jumps forward with `advance(ms)`. */
function controllableClock(start = '2025-01-01T00:00:00Z'): Clock & { advance(ms: number): void } {
  let current = timestampToNanos(start) as bigint;
  return {
    now() {
      const value = current;
      current += 1000n;
      return formatTimestamp(value);
    },
    advance(ms: number) {
      current += BigInt(ms) * 1_000_000n;
    },
  };
}

function setup(kind: StoreKind): { manager: TaskManager; clock: ReturnType<typeof controllableClock> } {
  const clock = controllableClock();
  const manager = managerOn(kind, { clock, newId: counterIds() });
  return { manager, clock };
}

function tokenOf(task: Task | null): number {
  const claim = task === null ? null : readClaim(task);
  if (claim === null) throw new Error('task has no claim');
  return claim.token;
}

async function refusal(promise: Promise<unknown>): Promise<InvalidInputError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

describe.each(MODEL_STORES)('claiming with a lease (%s store)', (kind) => {
  it('records { agent_id, token, claimed_at, expires_at, lease_ms } in metadata.claim, keeping other metadata keys', async () => {
    const { manager } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    await manager.updateTaskMetadata(S, a.id, { note: 'keep me' });
    const claimed = await manager.claimNextTask(S, 'agent-1', { leaseMs: 5000 });
    expect(claimed).toMatchObject({ id: a.id, status: 'InProgress', agent_id: 'agent-1' });
    const metadata = claimed!.metadata as Record<string, unknown>;
    expect(Object.keys(metadata)).toEqual(['note', 'claim']);
    expect(metadata.note).toBe('keep me');
    const claim = metadata.claim as Record<string, unknown>;
    expect(Object.keys(claim)).toEqual(['agent_id', 'token', 'claimed_at', 'expires_at', 'lease_ms']);
    expect(claim).toMatchObject({ agent_id: 'agent-1', token: 1, lease_ms: 5000 });
    const claimedAt = timestampToNanos(claim.claimed_at as string)!;
    expect(timestampToNanos(claim.expires_at as string)! - claimedAt).toBe(5000n * 1_000_000n);
    expect(await manager.getTask(S, a.id)).toEqual(claimed);
    // The last token issued is also kept at the top of the session file.
    expect((await manager.loadTaskList(S)).toJSON()).toMatchObject({ claim_token: 1 });
  });

  it('without leaseMs, claimNextTask behaves as before: no claim record, no token', async () => {
    const { manager } = setup(kind);
    await manager.createTask(S, 'a', '');
    const claimed = await manager.claimNextTask(S, 'agent-1');
    expect(claimed).toMatchObject({ status: 'InProgress', agent_id: 'agent-1', metadata: null });
    expect((await manager.loadTaskList(S)).toJSON()).not.toHaveProperty('claim_token');
  });

  it('claimTask claims that task, and says why when it cannot (live holder, status, dependencies, subtasks)', async () => {
    const { manager } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    const b = await manager.createTask(S, 'b', '');
    await manager.addTaskDependency(S, b.id, a.id);
    const parent = await manager.createTask(S, 'parent', '');
    await manager.createTask(S, 'child', '', parent.id);
    const claimed = await manager.claimTask(S, a.id, 'agent-1', { leaseMs: 1000 });
    expect(claimed).toMatchObject({ id: a.id, status: 'InProgress', agent_id: 'agent-1' });
    expect((await refusal(manager.claimTask(S, a.id, 'agent-2', { leaseMs: 1000 }))).message).toMatch(
      /task 'id-1' cannot be claimed: agent 'agent-1' holds it with token 1 until /,
    );
    expect((await refusal(manager.claimTask(S, b.id, 'agent-2'))).message).toContain("it waits for 'id-1'");
    expect((await refusal(manager.claimTask(S, parent.id, 'agent-2'))).message).toContain("it has open subtasks 'id-4'");
    await manager.updateTaskStatus(S, b.id, 'Cancelled');
    expect((await refusal(manager.claimTask(S, b.id, 'agent-2'))).message).toContain('its status is');
  });

  it('validates every new argument with a clear InvalidInput message and changes nothing', async () => {
    const { manager } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    const before = await manager.loadTaskList(S);
    for (const bad of [0, -1, 1.5, Number.NaN, '10', 400 * 24 * 3600 * 1000]) {
      expect((await refusal(manager.claimNextTask(S, 'x', { leaseMs: bad as number }))).message).toContain('leaseMs must be an integer number of milliseconds');
      expect((await refusal(manager.claimTask(S, a.id, 'x', { leaseMs: bad as number }))).message).toContain('leaseMs');
    }
    expect((await refusal(manager.claimNextTask(S, 'x', 5 as never))).message).toContain('claim options must be an object');
    for (const bad of [0, -3, 2.5, '1', null]) {
      expect((await refusal(manager.renewClaim(S, a.id, bad as number))).message).toContain('token must be a positive integer claim token');
      expect((await refusal(manager.releaseClaim(S, a.id, bad as number))).message).toContain('token must be a positive integer claim token');
      expect((await refusal(manager.updateTaskStatus(S, a.id, 'Completed', { claimToken: bad as number }))).message).toContain(
        'claimToken must be a positive integer claim token',
      );
    }
    expect((await refusal(manager.updateTaskStatus(S, a.id, 'Completed', [] as never))).message).toContain('fence options must be an object');
    expect(await manager.loadTaskList(S)).toEqual(before);
  });
});

describe.each(MODEL_STORES)('renew and release (%s store)', (kind) => {
  it('renewClaim extends the lease from now (own lease by default, or the one given)', async () => {
    const { manager, clock } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    const token = tokenOf(await manager.claimNextTask(S, 'agent-1', { leaseMs: 1000 }));
    clock.advance(900);
    const renewed = readClaim((await manager.renewClaim(S, a.id, token))!)!;
    clock.advance(900); // 1800 ms after the claim: alive only because of the renewal
    expect(await manager.readyTasks(S)).toEqual([]);
    const longer = readClaim(await manager.renewClaim(S, a.id, token, 60_000))!;
    expect(longer).toMatchObject({ token, agent_id: 'agent-1', lease_ms: 60_000, claimed_at: renewed.claimed_at });
  });

  it('releaseClaim gives the task back (NotStarted, no agent, claim removed); a wrong token changes nothing', async () => {
    const { manager } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    const token = tokenOf(await manager.claimNextTask(S, 'agent-1', { leaseMs: 1000 }));
    const before = await manager.loadTaskList(S);
    expect((await refusal(manager.releaseClaim(S, a.id, token + 1))).message).toContain('claim lost');
    expect(await manager.loadTaskList(S)).toEqual(before);
    const released = await manager.releaseClaim(S, a.id, token);
    // The claim is gone; its token stays in metadata.last_claim_token so tokens never repeat.
    expect(released).toMatchObject({ status: 'NotStarted', agent_id: null, metadata: { last_claim_token: token } });
    expect(readClaim(released)).toBeNull();
    expect((await manager.readyTasks(S)).map((t) => t.id)).toEqual([a.id]);
    // Released claims keep the counter: the next token is still higher.
    expect(tokenOf(await manager.claimNextTask(S, 'agent-2', { leaseMs: 1000 }))).toBe(token + 1);
  });

  it('also work inside a batch, with the same rules', async () => {
    const { manager } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    await manager.batch(S, (tx) => {
      const token = tokenOf(tx.claimTask(a.id, 'agent-1', { leaseMs: 1000 }));
      tx.renewClaim(a.id, token, 2000);
      expect(() => tx.updateTaskStatus(a.id, 'Completed', { claimToken: token + 7 })).toThrow('claim lost');
      tx.updateTaskStatus(a.id, 'Completed', { claimToken: token });
    });
    expect(await manager.getTask(S, a.id)).toMatchObject({ status: 'Completed', agent_id: 'agent-1' });
  });
});

describe.each(MODEL_STORES)('expiry without timers (%s store)', (kind) => {
  it('a live claim keeps a task out of the ready queue whatever its status', async () => {
    const { manager } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    const token = tokenOf(await manager.claimNextTask(S, 'agent-1', { leaseMs: 1000 }));
    await manager.updateTaskStatus(S, a.id, 'NotStarted', { claimToken: token });
    expect(await manager.readyTasks(S)).toEqual([]);
    expect(await manager.getReadiness(S, a.id)).toMatchObject({ ready: false, startable: false });
    expect(await manager.claimNextTask(S, 'agent-2')).toBeNull();
  });

  it('a task whose lease ran out is ready again, and the next claim resets it and takes it with a higher token', async () => {
    const { manager, clock } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    const first = tokenOf(await manager.claimNextTask(S, 'agent-1', { leaseMs: 1000 }));
    expect(await manager.readyTasks(S)).toEqual([]);
    expect((await manager.runtimeSnapshot(S)).ready_tasks).toEqual([]);
    expect(await manager.claimNextTask(S, 'agent-2', { leaseMs: 1000 })).toBeNull();
    clock.advance(1000);
    expect((await manager.readyTasks(S)).map((t) => t.id)).toEqual([a.id]);
    expect((await manager.getReadiness(S, a.id)).ready).toBe(true);
    expect((await manager.runtimeSnapshot(S)).ready_tasks.map((t) => t.id)).toEqual([a.id]);
    const second = await manager.claimNextTask(S, 'agent-2', { leaseMs: 1000 });
    expect(second).toMatchObject({ id: a.id, status: 'InProgress', agent_id: 'agent-2' });
    expect(tokenOf(second)).toBeGreaterThan(first);
  });

  it('an unfenced write to an expired task resets it first (NotStarted, no agent, no claim)', async () => {
    const { manager, clock } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    await manager.claimNextTask(S, 'agent-1', { leaseMs: 1000 });
    clock.advance(5000);
    await manager.recordMemoryEvent(S, a.id, { phase: 'blocked', summary: 's', recorded_at: '2025-01-01T00:00:00Z' } as never);
    const task = await manager.getTask(S, a.id);
    expect(task).toMatchObject({ status: 'NotStarted', agent_id: null });
    expect(readClaim(task!)).toBeNull();
  });
});

describe.each(MODEL_STORES)('fencing (%s store)', (kind) => {
  it('a write with a lost token is refused, names the new holder, and changes nothing', async () => {
    const { manager, clock } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    const old = tokenOf(await manager.claimNextTask(S, 'slow', { leaseMs: 1000 }));
    clock.advance(1500);
    const fresh = tokenOf(await manager.claimNextTask(S, 'fast', { leaseMs: 1000 }));
    const before = await manager.loadTaskList(S);
    const calls: Promise<unknown>[] = [
      manager.updateTaskStatus(S, a.id, 'Completed', { claimToken: old }),
      manager.recordTaskResult(S, a.id, true, 'late', 1, 1, { claimToken: old }),
      manager.finalizeTrackedTaskAfterAgentRun(S, a.id, { claimToken: old }),
      manager.updateExecutionState(S, a.id, () => undefined, { claimToken: old }),
      manager.recordMemoryEvent(S, a.id, { phase: 'blocked', summary: 's', recorded_at: '2025-01-01T00:00:00Z' } as never, { claimToken: old }),
      manager.renewClaim(S, a.id, old),
    ];
    for (const call of calls) {
      const error = await refusal(call);
      expect(error.message).toContain(`claim lost: token ${old} is not the live claim of task '${a.id}'`);
      expect(error.message).toContain(`agent 'fast' holds it now with token ${fresh}`);
    }
    expect(await manager.loadTaskList(S)).toEqual(before);
    await manager.recordTaskResult(S, a.id, true, 'done', 1, 1, { claimToken: fresh });
    expect(await manager.getTask(S, a.id)).toMatchObject({ status: 'Completed', agent_id: 'fast' });
  });

  it('an expired token with nobody holding the task is refused too; without a token the API is unchanged', async () => {
    const { manager, clock } = setup(kind);
    const a = await manager.createTask(S, 'a', '');
    const token = tokenOf(await manager.claimNextTask(S, 'agent-1', { leaseMs: 1000 }));
    clock.advance(1000);
    expect((await refusal(manager.updateTaskStatus(S, a.id, 'Completed', { claimToken: token }))).message).toContain('its lease expired at');
    const b = await manager.createTask(S, 'b', '');
    expect((await refusal(manager.updateTaskStatus(S, b.id, 'Completed', { claimToken: 1 }))).message).toContain('nobody holds it now');
    expect(await manager.updateTaskStatus(S, b.id, 'Completed')).toMatchObject({ status: 'Completed' });
  });
});

describe.each(MODEL_STORES)('fencing tokens (%s store)', (kind) => {
  it('strictly increase within a session under any sequence of claims, renewals, releases, expiries and completions', async () => {
    type Op = { kind: 'claim' | 'claimTask' | 'renew' | 'release' | 'complete' | 'advance' | 'create'; n: number };
    const op = fc.record({
      kind: fc.constantFrom<Op['kind']>('claim', 'claimTask', 'renew', 'release', 'complete', 'advance', 'create'),
      n: fc.nat(5),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const { manager, clock } = setup(kind);
        const ids = [(await manager.createTask(S, 't0', '')).id, (await manager.createTask(S, 't1', '')).id];
        const held = new Map<string, number>();
        let last = 0;
        const issued = (task: Task | null): void => {
          if (task === null) return;
          const token = tokenOf(task);
          expect(token).toBeGreaterThan(last);
          last = token;
          held.set(task.id, token);
        };
        for (const { kind, n } of ops) {
          const id = ids[n % ids.length]!;
          const token = held.get(id) ?? 1;
          const attempt = async (p: Promise<unknown>): Promise<unknown> => p.catch((e: unknown) => expect(e).toBeInstanceOf(InvalidInputError));
          if (kind === 'claim') issued(await manager.claimNextTask(S, `a${n}`, { leaseMs: 100 * (n + 1) }));
          else if (kind === 'claimTask') await attempt(manager.claimTask(S, id, `a${n}`, { leaseMs: 100 }).then(issued));
          else if (kind === 'renew') await attempt(manager.renewClaim(S, id, token, 50 * (n + 1)));
          else if (kind === 'release') await attempt(manager.releaseClaim(S, id, token));
          else if (kind === 'complete') await attempt(manager.updateTaskStatus(S, id, 'Completed', { claimToken: token }));
          else if (kind === 'advance') clock.advance(60 * n);
          else ids.push((await manager.createTask(S, `t${ids.length}`, '')).id);
          // A task never has a claim token above the session's counter.
          const list = await manager.loadTaskList(S);
          const counter = (list.toJSON() as { claim_token?: number }).claim_token ?? 0;
          for (const task of list.tasks) expect(readClaim(task)?.token ?? 0).toBeLessThanOrEqual(counter);
        }
      }),
      { numRuns: kind === 'postgres' ? 10 : 40 },
    );
  });

  it('after a writer that drops the top-level counter (as Rust does), the next token is still above every token a task had', async () => {
    const { manager } = setup(kind);
    await manager.createTask(S, 'a', '');
    const b = await manager.createTask(S, 'b', '');
    await manager.claimNextTask(S, 'x', { leaseMs: 1000 });
    const held = tokenOf(await manager.claimNextTask(S, 'y', { leaseMs: 1000 }));
    await manager.releaseClaim(S, b.id, held);
    const data = (await manager.loadTaskList(S)).toJSON() as Record<string, unknown>;
    delete data.claim_token;
    const { TaskList } = await import('../src/index.js');
    await manager.replaceTaskList(S, TaskList.fromJSON(data));
    const c = await manager.createTask(S, 'c', '');
    expect(tokenOf(await manager.claimTask(S, c.id, 'z', { leaseMs: 1000 }))).toBe(held + 1);
  });
});

/** Starts a worker process; `lines` collects its stdout lines as they arrive. */
function startWorker(args: string[]): { child: ChildProcessWithoutNullStreams; out: () => string; done: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/workers/leased-claimer.ts'), ...args], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => stdout, done, stderr: () => stderr };
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe('leased claims across real processes', () => {
  it('holders stopped past their lease lose their tasks: each late write is refused, every task is completed exactly once', async () => {
    const dir = tempDir();
    const LEASE = '1500';
    const manager = new TaskManager(dir);
    const ids = await manager.batch(S, (tx) => Array.from({ length: 12 }, (_, i) => tx.createTask(`task ${i}`, '').id));

    // Two agents claim a task each and are stopped (SIGSTOP) right after their claim.
    const victims: { worker: ReturnType<typeof startWorker>; task: string; token: string }[] = [];
    for (const name of ['victim-1', 'victim-2']) {
      const worker = startWorker([dir, S, name, LEASE, 'victim']);
      await until(() => worker.out().includes('\n') || worker.child.exitCode !== null);
      const [, task, token] = /^CLAIMED (\S+) (\d+)\n/.exec(worker.out()) ?? [];
      expect(task, worker.stderr()).toBeDefined();
      worker.child.kill('SIGSTOP');
      victims.push({ worker, task: task!, token: token! });
    }

    const agents = ['w1', 'w2', 'w3', 'w4'];
    const workers = agents.map((agent) => startWorker([dir, S, agent, LEASE, 'worker']));
    // The stopped holders' leases run out; workers take their tasks over and complete them.
    await until(async () => {
      const tasks = await manager.listTasks(S);
      return victims.every((v) => tasks.find((t) => t.id === v.task)?.status === 'Completed');
    });
    for (const v of victims) {
      v.worker.child.kill('SIGCONT');
      v.worker.child.stdin.end('go\n');
      expect(await v.worker.done, v.worker.stderr()).toBe(0);
      const late = JSON.parse(v.worker.out().split('\n')[1]!) as { refused: boolean; message: string };
      expect(late.refused).toBe(true);
      expect(late.message).toContain(`claim lost: token ${v.token} is not the live claim of task '${v.task}'`);
      expect(late.message).toMatch(/agent 'w[1-4]' (holds it now|held it)/);
    }

    const results = await Promise.all(workers.map(async (w) => ({ code: await w.done, out: w.out(), err: w.stderr() })));
    for (const r of results) expect(r.code, r.err).toBe(0);
    const reports = results.map((r) => JSON.parse(r.out) as { completed: string[]; lost: string[] });
    const completed = reports.flatMap((r) => r.completed);
    // Every task completed exactly once (no duplicates, none missing), none left claimed or open.
    expect([...completed].sort()).toEqual([...ids].sort());
    const final = await manager.listTasks(S);
    for (const task of final) {
      expect(task.status).toBe('Completed');
      const by = reports.findIndex((r) => r.completed.includes(task.id));
      expect(task.agent_id).toBe(agents[by]);
      expect((task.metadata as { output: string }).output).toBe(`done by ${task.agent_id}`);
      expect(readClaim(task)?.agent_id).toBe(task.agent_id);
    }
  }, 120_000);
});
