/**
 * One rule, one place: the ready queue and the completion gate agree (readiness.ts), and the
 * linear-time ancestor reconciliation and cancel sweep give exactly what the step-by-step rule
 * gives, on random lists (parent loops, missing parents, Completed tasks with open children,
 * dependencies, background jobs).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TaskList,
  steppingClock,
  newTask,
  readiness,
  readyTasks,
  completionBlocker,
  canComplete,
  isOpen,
  isBlocked,
  blockingDependencies,
  openSubtasks,
  hasOpenSubtasks,
  activeBackgroundJob,
  type Task,
  type TaskStatus,
} from '../src/index.js';
import { applyStatus } from '../src/model/status-rules.js';
import { firstReadyTask } from '../src/model/readiness.js';
import { cancelOpenDescendants } from '../src/model/cancel-sweep.js';

import { managerOn, MODEL_STORES } from './helpers/stores.js';

const S = 's';


describe.each(MODEL_STORES)('ready queue and completion gate agree (%s store)', (kind) => {
  it('a NotStarted parent whose Cancelled child has an open grandchild is not ready, and is not claimed', async () => {
    const manager = managerOn(kind);
    const parent = await manager.createTask(S, 'parent', '');
    const child = await manager.createTask(S, 'child', '', parent.id);
    const grandchild = await manager.createTask(S, 'grandchild', '', child.id);
    // Cancel the child directly in the list (reconciliation would otherwise move the parent).
    const list = await manager.loadTaskList(S);
    list.updateTask(child.id, { status: 'Cancelled' });
    await manager.replaceTaskList(S, list);

    expect((await manager.readyTasks(S)).map((t) => t.name)).toEqual(['grandchild']);
    await expect(manager.updateTaskStatus(S, parent.id, 'Completed')).rejects.toThrow("subtasks remain open: 'grandchild'");
    const claimed = await manager.claimNextTask(S, 'agent');
    expect(claimed?.id).toBe(grandchild.id);
    expect(await manager.claimNextTask(S, 'agent')).toBeNull();
  });

  it('a task whose background job is active is not ready; it becomes ready when the job ends', async () => {
    const manager = managerOn(kind);
    const t = await manager.createOrchestratorTask(S, 'orch-1', 'agent', 'mirrored', '');
    expect(await manager.readyTasks(S)).toEqual([]);
    expect(await manager.claimNextTask(S, 'other agent')).toBeNull();
    await manager.setTaskBackgroundJob(S, t.id, { status: 'Succeeded' });
    expect((await manager.readyTasks(S)).map((x) => x.id)).toEqual([t.id]);
  });

  it('readiness gives every reason at once; completionBlocker gives the first in gate order', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask(S, 't', '');
    const dep = await manager.createTask(S, 'dep', '');
    const child = await manager.createTask(S, 'child', '', t.id);
    await manager.addTaskDependency(S, t.id, dep.id);
    await manager.setTaskBackgroundJob(S, t.id, { status: 'Running' });
    const list = await manager.loadTaskList(S);
    const task = list.getTask(t.id);
    expect(readiness(list, task)).toEqual({
      ready: false,
      startable: true,
      waitingFor: [dep.id],
      openSubtasks: [child.id],
      activeJob: { status: 'Running' },
    });
    expect(blockingDependencies(list, task)).toEqual([dep.id]);
    expect(isBlocked(list, task)).toBe(true);
    expect(openSubtasks(list, t.id).map((x) => x.id)).toEqual([child.id]);
    expect(hasOpenSubtasks(list, t.id)).toBe(true);
    expect(activeBackgroundJob(task)).toEqual({ status: 'Running' });
    expect(completionBlocker(list, t.id)).toMatchObject({ reason: 'dependencies', waitingFor: [dep.id] });
    expect(canComplete(list, t.id)).toBe(false);
    expect(isOpen(task)).toBe(true);
    expect(readyTasks(list).map((x) => x.name)).toEqual(['dep', 'child']);
    expect(() => completionBlocker(list, 'nope')).toThrow('Task not found: nope');
    expect(await manager.getReadiness(S, t.id)).toEqual(readiness(list, task));
    expect((await manager.getReadiness(S, dep.id)).ready).toBe(true);
    await expect(manager.getReadiness(S, 'nope')).rejects.toThrow('Task not found: nope');
  });
});

// ------------------------------------------------------------------------------------------------
// Reference: the rule applied step by step, with the completion check asked from scratch.

const TERMINAL = new Set(['Completed', 'Cancelled']);
const ACTIVE_JOB = new Set(['Queued', 'Blocked', 'AwaitingApproval', 'Running']);

function refBlocked(list: TaskList, t: Task): boolean {
  return t.blocked_by.some((b) => {
    const x = list.findTask(b);
    return x === null || !TERMINAL.has(x.status);
  });
}

function refCanComplete(list: TaskList, id: string): boolean {
  const t = list.getTask(id);
  if (refBlocked(list, t)) return false;
  if (list.descendants(id).some((d) => !TERMINAL.has(d.status))) return false;
  return !(t.background_job != null && ACTIVE_JOB.has(t.background_job.status));
}

function refSet(list: TaskList, id: string, status: TaskStatus): void {
  list.updateTask(id, { status });
  if (TERMINAL.has(status) && list.currentTaskId() === id) list.setCurrentTaskId(null);
}

function refApply(list: TaskList, id: string, status: TaskStatus): void {
  if (status === 'Completed' && !refCanComplete(list, id)) throw new Error('refused');
  refSet(list, id, status);
  const seen = new Set([id]);
  let parentId = list.findTask(id)?.parent_id ?? null;
  while (parentId !== null && !seen.has(parentId) && list.hasTask(parentId)) {
    seen.add(parentId);
    const a = list.getTask(parentId);
    if (a.status !== 'Cancelled') {
      const next: TaskStatus = refCanComplete(list, a.id) ? 'Completed' : refBlocked(list, a) ? 'Blocked' : 'InProgress';
      if (next !== a.status) refSet(list, a.id, next);
    }
    parentId = a.parent_id;
  }
}

function refSweep(list: TaskList, id: string): string[] {
  const open = list.descendants(id).filter((d) => !TERMINAL.has(d.status)).map((d) => d.id);
  for (const o of open) refApply(list, o, 'Cancelled');
  return open;
}

const STATUSES: TaskStatus[] = ['NotStarted', 'Blocked', 'InProgress', 'Completed', 'Cancelled'];

interface Shape {
  parents: (number | 'prev' | null)[];
  statuses: TaskStatus[];
  deps: [number, number][];
  jobs: (string | null)[];
  orders: number[];
  current: number | null;
  duplicate: boolean;
}

/** Random lists: parents mostly earlier tasks (trees), sometimes any task (loops) or a missing id. */
const shapeArb: fc.Arbitrary<Shape> = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.record({
    parents: fc.array(
      fc.oneof(
        { weight: 5, arbitrary: fc.constant('prev' as const) },
        { weight: 4, arbitrary: fc.nat({ max: n - 1 }) },
        { weight: 2, arbitrary: fc.constant(null) },
      ),
      { minLength: n, maxLength: n },
    ),
    statuses: fc.array(fc.constantFrom<TaskStatus>(...STATUSES, 'Completed', 'Completed'), { minLength: n, maxLength: n }),
    deps: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n })), { maxLength: n }),
    jobs: fc.array(fc.constantFrom(null, null, null, 'Running', 'Succeeded'), { minLength: n, maxLength: n }),
    orders: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
    current: fc.option(fc.nat({ max: n - 1 }), { nil: null }),
    duplicate: fc.boolean().map((b) => b && Math.random() < 0.2),
  }),
);

function build(shape: Shape, loops: boolean): TaskList {
  const list = new TaskList(S);
  const n = shape.statuses.length;
  const ids = Array.from({ length: n }, (_, i) => `t${i}`);
  for (let i = 0; i < n; i++) {
    const raw = shape.parents[i] ?? null;
    const p = raw === 'prev' ? (i === 0 ? null : i - 1) : raw;
    // Without loops a parent must come earlier in the list; otherwise anything goes.
    const parent = p === null ? null : loops || p < i ? (ids[p] as string) : i > 0 ? (ids[p % i] as string) : null;
    const task = { ...newTask(S, `n${i}`, ''), id: ids[i] as string, parent_id: parent };
    list.addTask(task);
    const job = shape.jobs[i];
    list.updateTask(task.id, {
      status: shape.statuses[i],
      sort_order: shape.orders[i],
      background_job: job == null ? undefined : { status: job as 'Running' },
    });
  }
  for (const [a, b] of shape.deps) {
    const task = list.getTask(ids[a] as string);
    const blocker = b === n ? 'missing' : (ids[b] as string);
    if (blocker !== task.id && !task.blocked_by.includes(blocker)) list.updateTask(task.id, { blocked_by: [...task.blocked_by, blocker] });
  }
  if (shape.current !== null) list.setCurrentTaskId(ids[shape.current] as string);
  if (shape.duplicate && n > 1) {
    const data = list.toJSON();
    data.tasks.push({ ...(data.tasks[0] as Task), name: 'duplicate' });
    return TaskList.fromData(data);
  }
  return list;
}

function summary(list: TaskList): string {
  return JSON.stringify({ s: list.tasks.map((t) => `${t.id}:${t.status}`), c: list.currentTaskId() });
}

describe('linear reconciliation equals the step-by-step rule', () => {
  const clock = steppingClock('2025-01-01T00:00:00Z');

  it('cancelOpenDescendants', () => {
    fc.assert(
      fc.property(shapeArb, fc.boolean(), fc.nat(), (shape, loops, pick) => {
        const fast = build(shape, loops);
        const ref = fast.clone();
        const id = (fast.tasks[pick % fast.size] as Task).id;
        const a = cancelOpenDescendants(fast, id, clock);
        const b = refSweep(ref, id);
        expect(a).toEqual(b);
        expect(summary(fast)).toBe(summary(ref));
      }),
      { numRuns: 3000 },
    );
  });

  it('a status change and its ancestor walk', () => {
    fc.assert(
      fc.property(shapeArb, fc.boolean(), fc.nat(), fc.constantFrom(...STATUSES), (shape, loops, pick, status) => {
        const fast = build(shape, loops);
        const ref = fast.clone();
        const id = (fast.tasks[pick % fast.size] as Task).id;
        let refused = false;
        try {
          refApply(ref, id, status);
        } catch {
          refused = true;
        }
        if (refused) expect(() => applyStatus(fast, id, status, clock)).toThrow('cannot be completed');
        else applyStatus(fast, id, status, clock);
        expect(summary(fast)).toBe(summary(ref));
      }),
      { numRuns: 3000 },
    );
  });

  it('ready tasks are exactly the startable tasks the reference gate would let complete', () => {
    fc.assert(
      fc.property(shapeArb, fc.boolean(), (shape, loops) => {
        const list = build(shape, loops);
        const expected = list.tasks
          .filter((t) => list.findTask(t.id) === t && (t.status === 'NotStarted' || t.status === 'Blocked') && refCanComplete(list, t.id))
          .map((t) => t.id)
          .sort();
        expect(readyTasks(list).map((t) => t.id).sort()).toEqual(expected);
        for (const t of readyTasks(list)) expect(completionBlocker(list, t.id)).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('the first ready task (what claimNextTask takes) is the head of the whole sorted ready queue', () => {
    fc.assert(
      fc.property(shapeArb, fc.boolean(), fc.boolean(), (shape, loops, shuffled) => {
        let list = build(shape, loops);
        if (shuffled) {
          // Out of sibling order in the list itself, with ties, so the walk has to sort.
          const data = list.toJSON();
          data.tasks.reverse();
          list = TaskList.fromData(data);
        }
        expect(firstReadyTask(list)).toBe(readyTasks(list)[0] ?? null);
      }),
      { numRuns: 3000 },
    );
  });
});
