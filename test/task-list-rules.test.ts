/** Constructors and task-list rules (docs/behaviour.md), on the TaskList class and through the manager. */
import { describe, expect, it } from 'vitest';
import {
  newTask,
  newTaskWithSource,
  taskFromOrchestratorTask,
  steppingClock,
  TaskList,
  TaskSchema,
  type Task,
  type TaskTreeNode,
} from '../src/index.js';
import { cleanTempDirsAfterEach, expectTaskError } from './helpers/env.js';
import { managerOn, STORES } from './helpers/stores.js';

cleanTempDirsAfterEach();

function task(id: string, fields: Partial<Task> = {}): Task {
  return TaskSchema.parse({
    id,
    name: id.toUpperCase(),
    description: '',
    status: 'NotStarted',
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    session_id: 's',
    ...fields,
  });
}

function listOf(...tasks: Task[]): TaskList {
  const list = new TaskList('s');
  for (const t of tasks) list.addTask(t);
  return list;
}

function shape(nodes: TaskTreeNode[]): unknown[] {
  return nodes.map((n) => (n.children.length === 0 ? n.task.id : { [n.task.id]: shape(n.children) }));
}

describe.each(STORES)('constructors (A3) (%s store)', (kind) => {
  it('newTask: fresh id, NotStarted, no deps, sort 0, created == updated, source User', () => {
    const a = newTask('s', 'A', 'd', 'p');
    const b = newTask('s', 'B', 'd');
    expect(a.id).not.toBe(b.id);
    expect(a.id.length).toBeGreaterThan(0);
    expect(a).toMatchObject({ name: 'A', description: 'd', status: 'NotStarted', parent_id: 'p', blocked_by: [], sort_order: 0, session_id: 's', source: 'User', orchestrator_task_id: null, agent_id: null, metadata: null });
    expect(b.parent_id).toBeNull();
    expect(a.created_at).toBe(a.updated_at);
    expect(a.background_job).toBeUndefined();
  });

  it('newTaskWithSource: agent task with optional agent id', () => {
    expect(newTaskWithSource('s', 'A', '', null, 'Agent', 'agent-7')).toMatchObject({ source: 'Agent', agent_id: 'agent-7', parent_id: null });
    expect(newTaskWithSource('s', 'A', '', 'p', 'Agent')).toMatchObject({ source: 'Agent', agent_id: null, parent_id: 'p' });
  });

  it('taskFromOrchestratorTask: no parent, Orchestrator, ids, context as metadata, Queued job', () => {
    const t = taskFromOrchestratorTask('s', 'orch', 'agent', 'N', 'D', { k: [1] });
    expect(t).toMatchObject({
      parent_id: null, source: 'Orchestrator', orchestrator_task_id: 'orch', agent_id: 'agent', metadata: { k: [1] },
      background_job: { status: 'Queued', message: 'Created by orchestrator' }, status: 'NotStarted',
    });
    expect(t.background_job?.job_id).toBeUndefined();
    expect(taskFromOrchestratorTask('s', 'o', 'a', 'N', 'D').metadata).toBeNull();
  });

  it('manager constructors: agent id before parent id; orchestrator task via manager', async () => {
    const manager = managerOn(kind);
    const parent = await manager.createTask('s', 'P', '');
    const agent = await manager.createAgentTask('s', 'A', 'd', 'agent-1', parent.id);
    expect(agent).toMatchObject({ source: 'Agent', agent_id: 'agent-1', parent_id: parent.id });
    const o = await manager.createOrchestratorTask('s', 'orch-1', 'agent-2', 'O', 'd', { ctx: true });
    expect(o).toMatchObject({ source: 'Orchestrator', orchestrator_task_id: 'orch-1', agent_id: 'agent-2', metadata: { ctx: true }, parent_id: null,
      background_job: { status: 'Queued', message: 'Created by orchestrator' } });
    expect(await manager.findByOrchestratorId('s', 'orch-1')).toEqual(o);
    expect(await manager.findByOrchestratorId('s', 'nope')).toBeNull();
  });

  it('every change moves updated_at; a repeated dependency does not', async () => {
    const manager = managerOn(kind);
    const a = await manager.createTask('s', 'A', '');
    const b = await manager.createTask('s', 'B', '');
    let last = (await manager.getTask('s', a.id))!.updated_at;
    const step = async (label: string, fn: () => Promise<unknown>): Promise<void> => {
      await fn();
      const now = (await manager.getTask('s', a.id))!.updated_at;
      expect(now > last, label).toBe(true);
      last = now;
    };
    await step('rename', () => manager.updateTask('s', a.id, 'A2', null));
    await step('status', () => manager.updateTaskStatus('s', a.id, 'InProgress'));
    await step('dependency', () => manager.addTaskDependency('s', a.id, b.id));
    await step('job', () => manager.setTaskBackgroundJob('s', a.id, { status: 'Running' }));
    await step('metadata', () => manager.updateTaskMetadata('s', a.id, { x: 1 }));
    expect(await manager.addTaskDependency('s', a.id, b.id)).toBe(false);
    expect((await manager.getTask('s', a.id))!.updated_at).toBe(last);
    expect((await manager.getTask('s', a.id))!.created_at).toBe(a.created_at);
  });
});

describe.each(STORES)('current task pointer (A4) (%s store)', (kind) => {
  it('refuses an id not in the list with the exact text', async () => {
    const list = listOf(task('a'));
    await expectTaskError(() => list.setCurrentTaskId('zz'), 'InvalidInput', "Invalid input: current_task_id 'zz' does not exist in task list");
    const manager = managerOn(kind);
    await expectTaskError(manager.setCurrentTaskId('s', 'zz'), 'InvalidInput', "Invalid input: current_task_id 'zz' does not exist in task list");
  });

  it('removing the current task clears it', async () => {
    const list = listOf(task('a'), task('b'));
    list.setCurrentTaskId('a');
    expect(list.removeTask('b')?.id).toBe('b');
    expect(list.currentTaskId()).toBe('a');
    list.removeTask('a');
    expect(list.currentTaskId()).toBeNull();
    expect(list.removeTask('a')).toBeNull();
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    await manager.setCurrentTaskId('s', t.id);
    expect(await manager.getCurrentTaskId('s')).toBe(t.id);
    expect((await manager.deleteTask('s', t.id)).id).toBe(t.id);
    expect(await manager.getCurrentTaskId('s')).toBeNull();
  });
});

describe.each(STORES)('roots, subtasks, descendants (A4) (%s store)', (kind) => {
  it('rootTasks and subtasks keep list order', () => {
    const list = listOf(task('r2', { sort_order: 5 }), task('c2', { parent_id: 'r1', sort_order: 9 }), task('r1'), task('c1', { parent_id: 'r1', sort_order: 1 }));
    expect(list.rootTasks().map((t) => t.id)).toEqual(['r2', 'r1']);
    expect(list.subtasks('r1').map((t) => t.id)).toEqual(['c2', 'c1']);
    expect(list.subtasks('nobody')).toEqual([]);
  });

  it('descendants: pre-order, sort_order then created_at by instant, stable, excluding the task', () => {
    const list = listOf(
      task('root'),
      task('late', { parent_id: 'root', created_at: '2024-01-01T00:00:05.1Z' }),
      task('early', { parent_id: 'root', created_at: '2024-01-01T00:00:05Z' }),
      // An offset timestamp: 01:00:04+01:00 is 00:00:04Z, the earliest of all.
      task('offset', { parent_id: 'root', created_at: '2024-01-01T01:00:04+01:00' }),
      task('first-by-sort', { parent_id: 'root', sort_order: -1, created_at: '2030-01-01T00:00:00Z' }),
      task('last-by-sort', { parent_id: 'root', sort_order: 3 }),
      task('tie-1', { parent_id: 'root', sort_order: 2, created_at: '2024-01-01T00:00:07Z' }),
      task('tie-2', { parent_id: 'root', sort_order: 2, created_at: '2024-01-01T00:00:07.000Z' }),
      task('grand-b', { parent_id: 'early', sort_order: 1 }),
      task('grand-a', { parent_id: 'early' }),
    );
    expect(list.descendants('root').map((t) => t.id)).toEqual([
      'first-by-sort', 'offset', 'early', 'grand-a', 'grand-b', 'late', 'tie-1', 'tie-2', 'last-by-sort',
    ]);
    expect(list.descendants('early').map((t) => t.id)).toEqual(['grand-a', 'grand-b']);
  });

  it('descendants is NotFound for a missing id and safe against parent cycles', async () => {
    const list = listOf(task('a', { parent_id: 'b' }), task('b', { parent_id: 'a' }), task('c', { parent_id: 'b' }));
    expect(list.descendants('a').map((t) => t.id)).toEqual(['b', 'c']);
    await expectTaskError(() => list.descendants('zz'), 'NotFound', 'Task not found: zz');
    const manager = managerOn(kind);
    await expectTaskError(manager.listDescendants('s', 'zz'), 'NotFound', 'Task not found: zz');
  });
});

describe.each(STORES)('isTaskBlocked (A4) (%s store)', (kind) => {
  it('true for a missing or open blocker, false when every blocker is terminal', async () => {
    const list = listOf(
      task('done', { status: 'Completed' }),
      task('gone', { status: 'Cancelled' }),
      task('open', { status: 'InProgress' }),
      task('x', { blocked_by: ['done', 'gone'] }),
      task('y', { blocked_by: ['done', 'open'] }),
      task('z', { blocked_by: ['missing'] }),
      task('free'),
    );
    expect(['x', 'y', 'z', 'free'].map((id) => list.isTaskBlocked(id))).toEqual([false, true, true, false]);
    await expectTaskError(() => list.isTaskBlocked('nope'), 'NotFound', 'Task not found: nope');
    const manager = managerOn(kind);
    await expectTaskError(manager.isTaskBlocked('s', 'nope'), 'NotFound', 'Task not found: nope');
  });
});

describe.each(STORES)('completion check (A4), in order (%s store)', (kind) => {
  it('1 NotFound, 2 dependencies, 3 subtasks (descendant order, quoted), 4 background job', async () => {
    const manager = managerOn(kind);
    await expectTaskError(manager.updateTaskStatus('s', 'ghost', 'Completed'), 'NotFound', 'Task not found: ghost');
    const dep = await manager.createTask('s', 'Dep', '');
    const p = await manager.createTask('s', 'Parent', '');
    const b = await manager.createTask('s', 'B child', '', p.id);
    const a = await manager.createTask('s', 'A child', '', p.id);
    const grand = await manager.createTask('s', 'Grand', '', b.id);
    await manager.updateTaskStatus('s', a.id, 'Cancelled');
    await manager.updateTaskStatus('s', a.id, 'NotStarted');
    await manager.addTaskDependency('s', p.id, dep.id);
    await manager.setTaskBackgroundJob('s', p.id, { status: 'AwaitingApproval' });
    await expectTaskError(manager.updateTaskStatus('s', p.id, 'Completed'), 'InvalidInput',
      "Invalid input: task 'Parent' cannot be completed while dependencies remain open");
    await manager.updateTaskStatus('s', dep.id, 'Cancelled');
    await expectTaskError(manager.updateTaskStatus('s', p.id, 'Completed'), 'InvalidInput',
      "Invalid input: task 'Parent' cannot be completed while subtasks remain open: 'B child', 'Grand', 'A child'");
    await manager.updateTaskStatus('s', a.id, 'Completed');
    await expectTaskError(manager.updateTaskStatus('s', p.id, 'Completed'), 'InvalidInput',
      "Invalid input: task 'Parent' cannot be completed while subtasks remain open: 'B child', 'Grand'");
    await manager.cancelOpenDescendants('s', b.id);
    expect((await manager.getTask('s', grand.id))!.status).toBe('Cancelled');
    await manager.updateTaskStatus('s', b.id, 'Completed');
    // The parent cannot complete through reconciliation either: its job is still active.
    expect((await manager.getTask('s', p.id))!.status).toBe('InProgress');
    await expectTaskError(manager.updateTaskStatus('s', p.id, 'Completed'), 'InvalidInput',
      "Invalid input: task 'Parent' cannot be completed while its background job is still AwaitingApproval");
    for (const status of ['Queued', 'Blocked', 'Running'] as const) {
      await manager.setTaskBackgroundJob('s', p.id, { status });
      await expectTaskError(manager.updateTaskStatus('s', p.id, 'Completed'), 'InvalidInput',
        `Invalid input: task 'Parent' cannot be completed while its background job is still ${status}`);
    }
    for (const status of ['Succeeded', 'Failed', 'Cancelled'] as const) {
      await manager.setTaskBackgroundJob('s', p.id, { status });
      await manager.updateTaskStatus('s', p.id, 'InProgress');
      expect((await manager.updateTaskStatus('s', p.id, 'Completed')).status).toBe('Completed');
    }
  });

  it('only the Completed target is checked: other statuses are always allowed', async () => {
    const manager = managerOn(kind);
    const dep = await manager.createTask('s', 'Dep', '');
    const t = await manager.createTask('s', 'T', '');
    await manager.createTask('s', 'Child', '', t.id);
    await manager.addTaskDependency('s', t.id, dep.id);
    for (const status of ['InProgress', 'Blocked', 'NotStarted', 'Cancelled'] as const) {
      expect((await manager.updateTaskStatus('s', t.id, status)).status).toBe(status);
    }
  });
});

describe.each(STORES)('addDependency (A4) (%s store)', (kind) => {
  it('errors in order: itself, task missing, blocker missing, cycle; repeat is a no-op', async () => {
    const list = listOf(task('a'), task('b'), task('c'));
    const clock = steppingClock('2025-01-01T00:00:00Z');
    await expectTaskError(() => list.addDependency('zz', 'zz', clock), 'InvalidInput', 'Invalid input: task cannot be blocked by itself');
    await expectTaskError(() => list.addDependency('zz', 'yy', clock), 'NotFound', 'Task not found: zz');
    await expectTaskError(() => list.addDependency('a', 'yy', clock), 'NotFound', 'Task not found: yy');
    expect(list.addDependency('a', 'b', clock)).toBe(true);
    expect(list.addDependency('b', 'c', clock)).toBe(true);
    await expectTaskError(() => list.addDependency('c', 'a', clock), 'InvalidInput', 'Invalid input: dependency would create a cycle');
    await expectTaskError(() => list.addDependency('b', 'a', clock), 'InvalidInput', 'Invalid input: dependency would create a cycle');
    const before = list.findTask('a');
    expect(list.addDependency('a', 'b', clock)).toBe(false);
    expect(list.findTask('a')).toBe(before);
    expect(list.findTask('a')!.blocked_by).toEqual(['b']);
  });

  it('through the manager, with the same texts', async () => {
    const manager = managerOn(kind);
    const a = await manager.createTask('s', 'A', '');
    const b = await manager.createTask('s', 'B', '');
    await expectTaskError(manager.addTaskDependency('s', a.id, a.id), 'InvalidInput', 'Invalid input: task cannot be blocked by itself');
    await expectTaskError(manager.addTaskDependency('s', 'x', a.id), 'NotFound', 'Task not found: x');
    await expectTaskError(manager.addTaskDependency('s', a.id, 'y'), 'NotFound', 'Task not found: y');
    expect(await manager.addTaskDependency('s', a.id, b.id)).toBe(true);
    await expectTaskError(manager.addTaskDependency('s', b.id, a.id), 'InvalidInput', 'Invalid input: dependency would create a cycle');
    expect(await manager.isTaskBlocked('s', a.id)).toBe(true);
  });
});

describe.each(STORES)('buildTree (A4, B9) (%s store)', (kind) => {
  it('roots: no parent or a missing parent; children sorted by (sort_order, created_at)', () => {
    const list = listOf(
      task('orphan', { parent_id: 'missing', created_at: '2024-01-01T00:00:01Z' }),
      task('r', { created_at: '2024-01-01T00:00:00.5Z' }),
      task('c-late', { parent_id: 'r', created_at: '2024-01-01T00:00:09Z' }),
      task('c-sorted', { parent_id: 'r', sort_order: -3, created_at: '2024-01-01T00:00:10Z' }),
      task('c-early', { parent_id: 'r', created_at: '2024-01-01T00:00:02Z' }),
      task('g', { parent_id: 'c-early' }),
    );
    expect(shape(list.buildTree())).toEqual([{ r: ['c-sorted', { 'c-early': ['g'] }, 'c-late'] }, 'orphan']);
  });

  it('a loop of parents is shown once, each task exactly once, and the walk terminates', () => {
    const list = listOf(task('a', { parent_id: 'c' }), task('b', { parent_id: 'a' }), task('c', { parent_id: 'b' }), task('d', { parent_id: 'b' }), task('self', { parent_id: 'self' }), task('root'));
    const seen: string[] = [];
    const walk = (nodes: TaskTreeNode[]): void => nodes.forEach((n) => { seen.push(n.task.id); walk(n.children); });
    walk(list.buildTree());
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd', 'root', 'self']);
    expect(shape(list.buildTree())[0]).toBe('root');
  });

  it('manager getTaskTree and getHierarchy', async () => {
    const manager = managerOn(kind);
    const r = await manager.createTask('s', 'R', '');
    const c1 = await manager.createTask('s', 'C1', '', r.id);
    const g = await manager.createTask('s', 'G', '', c1.id);
    const r2 = await manager.createTask('s', 'R2', '');
    const tree = await manager.getTaskTree('s');
    expect(shape(tree)).toEqual([{ [r.id]: [{ [c1.id]: [g.id] }] }, r2.id]);
    const hierarchy = await manager.getHierarchy('s');
    expect(hierarchy.map(([root, subs]) => [root.id, subs.map((t) => t.id)])).toEqual([[r.id, [c1.id]], [r2.id, []]]);
    expect(hierarchy[0]![0]).toEqual(await manager.getTask('s', r.id));
  });
});
