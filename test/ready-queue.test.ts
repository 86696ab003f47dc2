/** Ready queue, claims (in-process and across real processes) and change events. */
import { describe, expect, it } from 'vitest';
import { TaskList, TaskManager, type TaskChangeEvent } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { managerOn, reopen, STORES } from './helpers/stores.js';
import { runTsx } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();

const S = 'sess';

async function setSortOrder(manager: TaskManager, orders: Record<string, number>): Promise<void> {
  const list = await manager.loadTaskList(S);
  for (const [id, order] of Object.entries(orders)) list.updateTask(id, { sort_order: order });
  await manager.replaceTaskList(S, list);
}

describe.each(STORES)('readyTasks (%s store)', (kind) => {
  it('lists open, unblocked leaf tasks by sort_order, then age', async () => {
    const manager = managerOn(kind);
    const a = await manager.createTask(S, 'a', '');
    const b = await manager.createTask(S, 'b', '');
    await manager.createTask(S, 'c', '');
    await setSortOrder(manager, { [a.id]: 5, [b.id]: -1 });
    expect((await manager.readyTasks(S)).map((t) => t.name)).toEqual(['b', 'c', 'a']);
  });

  it('orders by created_at instant, not by string', async () => {
    const manager = managerOn(kind);
    const x = await manager.createTask(S, 'x', '');
    const y = await manager.createTask(S, 'y', '');
    const list = await manager.loadTaskList(S);
    // '…05.1Z' is later than '…05Z', although it sorts earlier as a string.
    list.updateTask(x.id, { created_at: '2025-01-01T00:00:05.1Z' });
    list.updateTask(y.id, { created_at: '2025-01-01T00:00:05Z' });
    await manager.replaceTaskList(S, list);
    expect((await manager.readyTasks(S)).map((t) => t.name)).toEqual(['y', 'x']);
  });

  it('excludes started, finished, dependency-blocked and parent tasks', async () => {
    const manager = managerOn(kind);
    const started = await manager.createTask(S, 'started', '');
    await manager.updateTaskStatus(S, started.id, 'InProgress');
    const done = await manager.createTask(S, 'done', '');
    await manager.updateTaskStatus(S, done.id, 'Completed');
    const dropped = await manager.createTask(S, 'dropped', '');
    await manager.updateTaskStatus(S, dropped.id, 'Cancelled');
    const blocker = await manager.createTask(S, 'blocker', '');
    const waiting = await manager.createTask(S, 'waiting', '');
    await manager.addTaskDependency(S, waiting.id, blocker.id);
    const afterDone = await manager.createTask(S, 'after done', '');
    await manager.addTaskDependency(S, afterDone.id, done.id);
    const parent = await manager.createTask(S, 'parent', '');
    await manager.createTask(S, 'child', '', parent.id);
    expect((await manager.readyTasks(S)).map((t) => t.name)).toEqual(['blocker', 'after done', 'child']);

    // A Blocked status whose dependencies are all finished is ready again.
    await manager.updateTaskStatus(S, blocker.id, 'Completed');
    await manager.updateTaskStatus(S, waiting.id, 'Blocked');
    expect((await manager.readyTasks(S)).map((t) => t.name)).toEqual(['waiting', 'after done', 'child']);
  });

  it('treats a dependency missing from the list as open (same rule as the completion check)', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask(S, 't', '');
    const list = await manager.loadTaskList(S);
    list.updateTask(t.id, { blocked_by: ['gone'] });
    await manager.replaceTaskList(S, list);
    expect(await manager.readyTasks(S)).toEqual([]);
    await expect(manager.updateTaskStatus(S, t.id, 'Completed')).rejects.toThrow('cannot be completed while dependencies remain open');
  });

  it('is empty for a session without a file, and returns copies', async () => {
    const manager = managerOn(kind);
    expect(await manager.readyTasks('nothing-here')).toEqual([]);
    await manager.createTask(S, 'a', '');
    const [first] = await manager.readyTasks(S);
    first!.name = 'mutated';
    expect((await manager.readyTasks(S))[0]!.name).toBe('a');
  });
});

describe.each(STORES)('claimNextTask (%s store)', (kind) => {
  it('marks the first ready task InProgress for the agent, then the next, then null', async () => {
    const manager = managerOn(kind);
    const parent = await manager.createTask(S, 'parent', '');
    const one = await manager.createTask(S, 'one', '', parent.id);
    const two = await manager.createTask(S, 'two', '', parent.id);
    const first = await manager.claimNextTask(S, 'agent-1');
    expect(first).toMatchObject({ id: one.id, status: 'InProgress', agent_id: 'agent-1' });
    expect(first!.updated_at > one.updated_at).toBe(true);
    // The parent follows its child (ancestor reconciliation) but is not itself claimable.
    expect((await manager.getTask(S, parent.id))!.status).toBe('InProgress');
    expect(await manager.claimNextTask(S, 'agent-2')).toMatchObject({ id: two.id, agent_id: 'agent-2' });
    expect(await manager.claimNextTask(S, 'agent-1')).toBeNull();
  });

  it('rejects an empty agent id and writes nothing', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask(S, 't', '');
    await expect(manager.claimNextTask(S, '')).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect(await manager.getTask(S, t.id)).toMatchObject({ status: 'NotStarted', agent_id: null });
  });

  it('never hands one task to two concurrent claimers in one process', async () => {
    const setup = managerOn(kind);
    await setup.batch(S, (tx) => {
      for (let i = 0; i < 20; i++) tx.createTask(`t${i}`, '');
    });
    const managers = [reopen(setup), reopen(setup), reopen(setup)];
    const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => managers[i % 3]!.claimNextTask(S, `agent-${i % 3}`)));
    const ids = claims.filter((t) => t !== null).map((t) => t.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(claims.filter((t) => t === null)).toHaveLength(10);
  });

  // Processes on the PostgreSQL store: test/postgres-failure-proofs (claims by 8 processes).
  if (kind === 'file') it('4 processes claiming until empty claim each of 40 tasks exactly once', async () => {
    const dir = tempDir();
    const setup = new TaskManager(dir);
    const created = await setup.batch(S, (tx) => Array.from({ length: 40 }, (_, i) => tx.createTask(`task ${i}`, '').id));
    const runs = await Promise.all(
      [0, 1, 2, 3].map((w) => runTsx('test/workers/claim-until-empty.ts', [dir, S, `worker-${w}`])),
    );
    for (const run of runs) expect(run.stderr).toBe('');
    const perWorker = runs.map((r) => JSON.parse(r.stdout) as string[]);
    const all = perWorker.flat();
    expect(all.sort()).toEqual([...created].sort());
    const final = await setup.listTasks(S);
    expect(final.every((t) => t.status === 'InProgress')).toBe(true);
    perWorker.forEach((ids, w) => {
      for (const id of ids) expect(final.find((t) => t.id === id)!.agent_id).toBe(`worker-${w}`);
    });
  });
});

describe.each(STORES)('change events (%s store)', (kind) => {
  it('reports created, updated, status changes (with ancestors), deleted and current changes', async () => {
    const manager = managerOn(kind);
    const events: TaskChangeEvent[] = [];
    manager.on('change', (e) => events.push(e));

    const parent = await manager.createTask(S, 'parent', '');
    const child = await manager.createTask(S, 'child', '', parent.id);
    expect(events.map((e) => e.type)).toEqual(['created', 'created']);
    expect(events[1]).toMatchObject({ type: 'created', sessionId: S, task: { id: child.id, name: 'child' } });

    events.length = 0;
    await manager.updateTask(S, child.id, 'child renamed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'updated', task: { name: 'child renamed' }, previous: { name: 'child' } });

    events.length = 0;
    await manager.setCurrentTaskId(S, child.id);
    expect(events).toEqual([{ type: 'current_changed', sessionId: S, from: null, to: child.id }]);

    events.length = 0;
    await manager.updateTaskStatus(S, child.id, 'done');
    const statusChanges = events.filter((e) => e.type === 'status_changed');
    // Events follow list order (the parent was created first).
    expect(statusChanges).toEqual([
      expect.objectContaining({ task: expect.objectContaining({ id: parent.id }), from: 'NotStarted', to: 'Completed' }),
      expect.objectContaining({ task: expect.objectContaining({ id: child.id }), from: 'NotStarted', to: 'Completed' }),
    ]);
    expect(events.filter((e) => e.type === 'updated')).toHaveLength(2);
    expect(events.at(-1)).toEqual({ type: 'current_changed', sessionId: S, from: child.id, to: null });

    events.length = 0;
    const other = await manager.createTask(S, 'other', '');
    await manager.addTaskDependency(S, other.id, child.id);
    events.length = 0;
    await manager.deleteTask(S, child.id);
    // The deleted id is also dropped from `other`'s blocked_by: an update of `other`.
    expect(events.map((e) => e.type).sort()).toEqual(['deleted', 'updated']);
    expect(events.find((e) => e.type === 'deleted')).toMatchObject({ task: { id: child.id } });
    expect(events.find((e) => e.type === 'updated')).toMatchObject({ task: { id: other.id } });
  });

  it('reports a claim as an update plus NotStarted → InProgress', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask(S, 't', '');
    const events: TaskChangeEvent[] = [];
    manager.on('change', (e) => events.push(e));
    await manager.claimNextTask(S, 'a1');
    expect(events).toEqual([
      expect.objectContaining({ type: 'updated', task: expect.objectContaining({ id: t.id, agent_id: 'a1' }) }),
      expect.objectContaining({ type: 'status_changed', from: 'NotStarted', to: 'InProgress' }),
    ]);
  });

  it('reports list_replaced alone for replaceTaskList, one commit per batch, nothing for no-ops or failures', async () => {
    const manager = managerOn(kind);
    const a = await manager.createTask(S, 'a', '');
    const b = await manager.createTask(S, 'b', '');
    await manager.addTaskDependency(S, b.id, a.id);
    const events: TaskChangeEvent[] = [];
    manager.on('change', (e) => events.push(e));

    await manager.addTaskDependency(S, b.id, a.id); // already there: no commit
    await expect(manager.updateTaskStatus(S, b.id, 'Completed')).rejects.toThrow();
    await expect(manager.batch(S, (tx) => {
      tx.createTask('c', '');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(events).toEqual([]);

    await manager.batch(S, (tx) => {
      tx.createTask('c', '');
      tx.updateTaskStatus(a.id, 'InProgress');
    });
    expect(events.map((e) => e.type)).toEqual(['updated', 'status_changed', 'created']);

    events.length = 0;
    const replacement = new TaskList(S);
    await manager.replaceTaskList(S, replacement);
    expect(events).toEqual([{ type: 'list_replaced', sessionId: S, taskCount: 0 }]);
  });

  it('events carry copies; throwing or async-rejecting listeners do not break commits; off removes', async () => {
    const manager = managerOn(kind);
    const seen: TaskChangeEvent[] = [];
    const thrower = (): void => {
      throw new Error('listener bug');
    };
    const rejecter = async (): Promise<void> => {
      throw new Error('async listener bug');
    };
    const recorder = (e: TaskChangeEvent): void => {
      seen.push(e);
      if (e.type === 'created') e.task.name = 'mutated by listener';
    };
    manager.on('change', thrower).on('change', rejecter).on('change', recorder);
    const t = await manager.createTask(S, 't', '');
    expect(t.name).toBe('t');
    expect((await manager.getTask(S, t.id))!.name).toBe('t');
    expect(seen).toHaveLength(1);

    manager.off('change', recorder);
    await manager.createTask(S, 'u', '');
    expect(seen).toHaveLength(1);
  });

  it('refuses unknown event names', () => {
    expect(() => managerOn(kind).on('nope' as 'change', () => undefined)).toThrow(/unknown event/);
  });
});

// A store with a live change feed (PostgreSQL) reports other managers' commits too, by design
// (README "Change events"): that is proved in postgres-live.test.ts.
describe('change events on the file store', () => {
  it('only reports commits of its own manager on a store without a change feed', async () => {
    const a = managerOn('file');
    const b = reopen(a);
    const seen: TaskChangeEvent[] = [];
    a.on('change', (e) => seen.push(e));
    await b.createTask(S, 'by b', '');
    expect(seen).toEqual([]);
    // A later commit of `a` reports only its own change, not b's earlier one.
    await a.createTask(S, 'by a', '');
    expect(seen.map((e) => (e.type === 'created' ? e.task.name : e.type))).toEqual(['by a']);
  });
});
