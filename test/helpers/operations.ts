/**
 * Random operation sequences for property tests: a fast-check arbitrary of operations and a runner
 * that applies them to a TaskManager, plus the invariant checks.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { TaskError, type Task, type TaskManager, type TaskStatus, type TaskTreeNode } from '../../src/index.js';

const STATUSES: TaskStatus[] = ['NotStarted', 'Blocked', 'InProgress', 'Completed', 'Cancelled'];
const NAMES = ['alpha', 'Beta', 'beta ', 'gamma', 'Delta task', 'delta  TASK'];

/** One operation; task references are indices into the current task list (modulo its length). */
export type Operation =
  | { op: 'create'; name: string; parent: number | null }
  | { op: 'agent'; name: string; parent: number | null }
  | { op: 'status'; task: number; status: TaskStatus }
  | { op: 'dependency'; task: number; blocker: number }
  | { op: 'delete'; task: number }
  | { op: 'cancelSweep'; task: number }
  | { op: 'finalize'; task: number }
  | { op: 'result'; task: number; success: boolean }
  | { op: 'job'; task: number; status: 'Running' | 'Succeeded' | null }
  | { op: 'current'; task: number | null }
  | { op: 'breakdown'; parent: number | null; names: string[]; nest: boolean }
  | { op: 'plan'; names: string[] };

const ref = fc.nat({ max: 40 });
const name = fc.constantFrom(...NAMES);

/** Arbitrary operations, weighted toward creation and status changes. */
export const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('create' as const), name, parent: fc.option(ref, { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('agent' as const), name, parent: fc.option(ref, { nil: null }) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('status' as const), task: ref, status: fc.constantFrom(...STATUSES) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('dependency' as const), task: ref, blocker: ref }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), task: ref }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancelSweep' as const), task: ref }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('finalize' as const), task: ref }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('result' as const), task: ref, success: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('job' as const), task: ref, status: fc.constantFrom('Running' as const, 'Succeeded' as const, null) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('current' as const), task: fc.option(ref, { nil: null }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('breakdown' as const),
      parent: fc.option(ref, { nil: null }),
      names: fc.uniqueArray(name, { minLength: 1, maxLength: 3, selector: (n) => n.trim() }),
      nest: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('plan' as const), names: fc.uniqueArray(name, { minLength: 1, maxLength: 3, selector: (n) => n.trim() }) }) },
);

function pick(tasks: Task[], i: number): string {
  return tasks.length === 0 ? 'no-such-task' : (tasks[i % tasks.length] as Task).id;
}

/** Ids of the ancestors of `id` (nearest first), guarded against loops. */
function ancestors(tasks: Task[], id: string): Task[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const out: Task[] = [];
  const seen = new Set([id]);
  let parent = byId.get(id)?.parent_id ?? null;
  while (parent !== null && !seen.has(parent) && byId.has(parent)) {
    seen.add(parent);
    out.push(byId.get(parent) as Task);
    parent = byId.get(parent)?.parent_id ?? null;
  }
  return out;
}

/**
 * Applies `op` to `manager`. Returns a description of the outcome (result or TaskError text), so
 * two managers can be compared. Tasks created under an ancestor that is already Completed are added
 * to `exempt` (docs/behaviour.md: ancestors are reconciled only on status changes, as Rust does; see the property
 * test for the reasoning). Anything thrown that is not a TaskError fails the test.
 */
export async function applyOperation(manager: TaskManager, session: string, op: Operation, exempt: Set<string>): Promise<string> {
  const tasks = await manager.listTasks(session);
  const outcome = await runOperation(manager, session, op, tasks);
  // New tasks placed under a task that was already Completed before this operation.
  const before = new Map(tasks.map((t) => [t.id, t]));
  const after = await manager.listTasks(session);
  for (const t of after) {
    if (before.has(t.id)) continue;
    if (ancestors(after, t.id).some((a) => before.get(a.id)?.status === 'Completed')) exempt.add(t.id);
  }
  return outcome;
}

async function runOperation(manager: TaskManager, session: string, op: Operation, tasks: Task[]): Promise<string> {
  try {
    switch (op.op) {
      case 'create':
      case 'agent': {
        const parent = op.parent === null ? null : pick(tasks, op.parent);
        const t = op.op === 'create' ? await manager.createTask(session, op.name, 'd', parent) : await manager.createAgentTask(session, op.name, 'd', 'agent', parent);
        return `created ${t.id}`;
      }
      case 'status':
        return (await manager.updateTaskStatus(session, pick(tasks, op.task), op.status)).status;
      case 'dependency':
        return String(await manager.addTaskDependency(session, pick(tasks, op.task), pick(tasks, op.blocker)));
      case 'delete':
        return (await manager.deleteTask(session, pick(tasks, op.task))).id;
      case 'cancelSweep':
        return (await manager.cancelOpenDescendants(session, pick(tasks, op.task))).join(',');
      case 'finalize':
        return JSON.stringify(await manager.finalizeTrackedTaskAfterAgentRun(session, pick(tasks, op.task)));
      case 'result':
        return await manager.recordTaskResult(session, pick(tasks, op.task), op.success, 'out', 1, 2);
      case 'job':
        return JSON.stringify((await manager.setTaskBackgroundJob(session, pick(tasks, op.task), op.status === null ? null : { status: op.status })).background_job ?? null);
      case 'current':
        await manager.setCurrentTaskId(session, op.task === null ? null : pick(tasks, op.task));
        return 'ok';
      case 'breakdown': {
        const parent = op.parent === null ? null : pick(tasks, op.parent);
        const specs = op.names.map((n, i) => ({
          name: n, description: 'd', priority: 'High', is_blocking: i === 0,
          parent_name: op.nest && i > 0 ? (op.names[i - 1] as string).trim() : null,
        }));
        const result = parent === null
          ? await manager.materializeRequirementBreakdown(session, specs)
          : await manager.materializeRequirementBreakdownUnderParent(session, parent, specs);
        return result.created_tasks.map((t) => t.id).join(',');
      }
      case 'plan': {
        const specs = op.names.map((n) => ({ name: n, description: 'd', priority: '', is_blocking: false, parent_name: null }));
        const plan = await manager.initializeAutoTrackedExecutionPlan(session, 'Request', 'do it', specs);
        return JSON.stringify(plan);
      }
    }
  } catch (error) {
    if (!(error instanceof TaskError)) throw error;
    return `error ${error.message}`;
  }
}

/** Checks the invariants of a session. */
export async function checkInvariants(manager: TaskManager, session: string, exempt: ReadonlySet<string>): Promise<void> {
  const tasks = await manager.listTasks(session);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  expect(byId.size).toBe(tasks.length);

  // No dependency cycles (DFS with colours).
  const colour = new Map<string, 1 | 2>();
  const visit = (id: string): void => {
    colour.set(id, 1);
    for (const next of byId.get(id)?.blocked_by ?? []) {
      expect(colour.get(next), `dependency cycle through ${next}`).not.toBe(1);
      if (!colour.has(next)) visit(next);
    }
    colour.set(id, 2);
  };
  for (const t of tasks) if (!colour.has(t.id)) visit(t.id);

  // Every task exactly once in the tree.
  const seen: string[] = [];
  const walk = (nodes: TaskTreeNode[]): void => nodes.forEach((n) => { seen.push(n.task.id); walk(n.children); });
  walk(await manager.getTaskTree(session));
  expect(seen.slice().sort()).toEqual(tasks.map((t) => t.id).sort());

  // A Completed task has no open descendants (except tasks created under it after it completed).
  for (const t of tasks) {
    if (t.status !== 'Completed') continue;
    const open = (await manager.listDescendants(session, t.id)).filter((d) => d.status !== 'Completed' && d.status !== 'Cancelled');
    const unexplained = open.filter((d) => !exempt.has(d.id));
    expect(unexplained.map((d) => `${d.name} [${d.status}] under Completed ${t.name}`)).toEqual([]);
  }

  // A ready task's completion is never refused (not for its subtasks, nor for anything else):
  // the ready queue and the completion gate ask the same rules. Each attempt is rolled back.
  const rollback = new Error('roll back');
  for (const ready of await manager.readyTasks(session)) {
    const outcome = await manager
      .batch(session, (tx) => {
        tx.updateTaskStatus(ready.id, 'Completed');
        throw rollback;
      })
      .catch((e: unknown) => e);
    const refused = outcome instanceof TaskError && outcome.cause !== rollback;
    expect(refused ? `${ready.name}: ${(outcome as TaskError).message}` : 'accepted').toBe('accepted');
  }

  // No dangling references created by the API: blockers exist, the pointer exists.
  for (const t of tasks) for (const b of t.blocked_by) expect(byId.has(b)).toBe(true);
  const current = await manager.getCurrentTaskId(session);
  if (current !== null) expect(byId.has(current)).toBe(true);
}

/** Sequences that start from a small tree (root, child, grandchild, second root), then random operations. */
export function sequenceArb(maxLength: number): fc.Arbitrary<Operation[]> {
  const seed: Operation[] = [
    { op: 'create', name: 'root', parent: null },
    { op: 'create', name: 'child', parent: 0 },
    { op: 'create', name: 'grandchild', parent: 1 },
    { op: 'create', name: 'other root', parent: null },
  ];
  return fc.array(operationArb, { minLength: 1, maxLength }).map((ops) => [...seed, ...ops]);
}
