/** Every TaskManager operation (docs/behaviour.md) and its consequences. */
import { describe, expect, it } from 'vitest';
import { newMemoryEvent, TaskList, type TaskManager, type TaskMemoryEvent } from '../src/index.js';
import { cleanTempDirsAfterEach, expectTaskError } from './helpers/env.js';
import { managerOn, STORES } from './helpers/stores.js';

cleanTempDirsAfterEach();

async function statuses(manager: TaskManager, ids: string[]): Promise<string[]> {
  return Promise.all(ids.map(async (id) => (await manager.getTask('s', id))?.status ?? 'missing'));
}

describe.each(STORES)('updateTaskStatus: reconciliation (%s store)', (kind) => {
  it('finishing or cancelling the last open child completes the parent and qualifying grandparents', async () => {
    const manager = managerOn(kind);
    const g = await manager.createTask('s', 'Grand', '');
    const p = await manager.createTask('s', 'Parent', '', g.id);
    const a = await manager.createTask('s', 'A', '', p.id);
    const b = await manager.createTask('s', 'B', '', p.id);
    await manager.updateTaskStatus('s', a.id, 'Completed');
    expect(await statuses(manager, [g.id, p.id])).toEqual(['InProgress', 'InProgress']);
    await manager.updateTaskStatus('s', b.id, 'Cancelled');
    expect(await statuses(manager, [g.id, p.id, a.id, b.id])).toEqual(['Completed', 'Completed', 'Completed', 'Cancelled']);
  });

  it('reopening a child moves a Completed parent back to InProgress (and the grandparent too)', async () => {
    const manager = managerOn(kind);
    const g = await manager.createTask('s', 'Grand', '');
    const p = await manager.createTask('s', 'Parent', '', g.id);
    const a = await manager.createTask('s', 'A', '', p.id);
    await manager.updateTaskStatus('s', a.id, 'Completed');
    expect(await statuses(manager, [g.id, p.id])).toEqual(['Completed', 'Completed']);
    await manager.updateTaskStatus('s', a.id, 'NotStarted');
    expect(await statuses(manager, [g.id, p.id, a.id])).toEqual(['InProgress', 'InProgress', 'NotStarted']);
  });

  it('a blocked ancestor becomes Blocked; a Cancelled ancestor is skipped but the walk goes on above it', async () => {
    const manager = managerOn(kind);
    const dep = await manager.createTask('s', 'Dep', '');
    const top = await manager.createTask('s', 'Top', '');
    const mid = await manager.createTask('s', 'Mid', '', top.id);
    const leaf = await manager.createTask('s', 'Leaf', '', mid.id);
    await manager.addTaskDependency('s', top.id, dep.id);
    await manager.updateTaskStatus('s', mid.id, 'Cancelled');
    expect(await statuses(manager, [top.id])).toEqual(['Blocked']);
    await manager.updateTaskStatus('s', leaf.id, 'InProgress');
    expect(await statuses(manager, [top.id, mid.id])).toEqual(['Blocked', 'Cancelled']);
    await manager.updateTaskStatus('s', dep.id, 'Completed');
    // dep has no parent, so nothing reconciled the top; the next change under it does.
    await manager.updateTaskStatus('s', leaf.id, 'Completed');
    expect(await statuses(manager, [top.id, mid.id, leaf.id])).toEqual(['Completed', 'Cancelled', 'Completed']);
  });

  it('an ancestor whose status does not change keeps its updated_at', async () => {
    const manager = managerOn(kind);
    const p = await manager.createTask('s', 'P', '');
    const a = await manager.createTask('s', 'A', '', p.id);
    await manager.updateTaskStatus('s', a.id, 'InProgress');
    const stamp = (await manager.getTask('s', p.id))!.updated_at;
    await manager.updateTaskStatus('s', a.id, 'Blocked');
    expect((await manager.getTask('s', p.id))!.updated_at).toBe(stamp);
  });

  it('a terminal status clears the pointer on the task; reconciliation clears it on an ancestor', async () => {
    const manager = managerOn(kind);
    const p = await manager.createTask('s', 'P', '');
    const a = await manager.createTask('s', 'A', '', p.id);
    const b = await manager.createTask('s', 'B', '', p.id);
    await manager.setCurrentTaskId('s', a.id);
    await manager.updateTaskStatus('s', a.id, 'InProgress');
    expect(await manager.getCurrentTaskId('s')).toBe(a.id);
    await manager.updateTaskStatus('s', a.id, 'Cancelled');
    expect(await manager.getCurrentTaskId('s')).toBeNull();
    await manager.setCurrentTaskId('s', p.id);
    await manager.updateTaskStatus('s', b.id, 'Completed');
    expect(await statuses(manager, [p.id])).toEqual(['Completed']);
    expect(await manager.getCurrentTaskId('s')).toBeNull();
  });

  it('NotFound for a missing task with any status', async () => {
    const manager = managerOn(kind);
    await expectTaskError(manager.updateTaskStatus('s', 'nope', 'InProgress'), 'NotFound', 'Task not found: nope');
  });
});

describe.each(STORES)('cancelOpenDescendants (%s store)', (kind) => {
  it('cancels the descendants open at the start, in descendant order, and returns their ids', async () => {
    const manager = managerOn(kind);
    const r = await manager.createTask('s', 'R', '');
    const b = await manager.createTask('s', 'B', '', r.id);
    const a = await manager.createTask('s', 'A', '', r.id);
    const done = await manager.createTask('s', 'Done', '', b.id);
    const open = await manager.createTask('s', 'Open', '', b.id);
    await manager.updateTaskStatus('s', done.id, 'Completed');
    await manager.updateTaskStatus('s', r.id, 'InProgress');
    const ids = await manager.cancelOpenDescendants('s', r.id);
    expect(ids).toEqual([b.id, open.id, a.id]);
    expect(await statuses(manager, [b.id, open.id, a.id, done.id])).toEqual(['Cancelled', 'Cancelled', 'Cancelled', 'Completed']);
    // Every child is terminal now, so reconciliation completed the root.
    expect(await statuses(manager, [r.id])).toEqual(['Completed']);
    expect(await manager.cancelOpenDescendants('s', r.id)).toEqual([]);
    await expectTaskError(manager.cancelOpenDescendants('s', 'nope'), 'NotFound', 'Task not found: nope');
  });
});

describe.each(STORES)('recordTaskResult (%s store)', (kind) => {
  it('success: metadata object gains the four keys (others kept), status Completed', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    await manager.updateTaskMetadata('s', t.id, { keep: 'me' });
    expect(await manager.recordTaskResult('s', t.id, true, 'all good', 3, 1500)).toBe('Completed');
    const stored = (await manager.getTask('s', t.id))!;
    expect(stored.status).toBe('Completed');
    expect(stored.metadata).toEqual({ keep: 'me', success: true, output: 'all good', tool_calls: 3, duration_ms: 1500 });
  });

  it('failure: non-object metadata is replaced by an object, status Cancelled', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    await manager.updateTaskMetadata('s', t.id, 'a string');
    expect(await manager.recordTaskResult('s', t.id, false, 'boom', 0, 7)).toBe('Cancelled');
    expect((await manager.getTask('s', t.id))!.metadata).toEqual({ success: false, output: 'boom', tool_calls: 0, duration_ms: 7 });
  });

  it('the completion check applies, and a refused result records nothing (B4)', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    await manager.createTask('s', 'Kid', '', t.id);
    await expectTaskError(manager.recordTaskResult('s', t.id, true, 'x', 1, 1), 'InvalidInput',
      "Invalid input: task 'T' cannot be completed while subtasks remain open: 'Kid'");
    expect((await manager.getTask('s', t.id))!.metadata).toBeNull();
    await expectTaskError(manager.recordTaskResult('s', 'nope', true, 'x', 1, 1), 'NotFound', 'Task not found: nope');
  });
});

describe.each(STORES)('finalizeTrackedTaskAfterAgentRun (%s store)', (kind) => {
  it('no open descendants: Completed, pointer cleared', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    const c = await manager.createTask('s', 'C', '', t.id);
    await manager.updateTaskStatus('s', c.id, 'Cancelled');
    await manager.updateTaskStatus('s', t.id, 'InProgress');
    await manager.setCurrentTaskId('s', t.id);
    expect(await manager.finalizeTrackedTaskAfterAgentRun('s', t.id)).toEqual({ kind: 'Completed' });
    expect(await statuses(manager, [t.id])).toEqual(['Completed']);
    expect(await manager.getCurrentTaskId('s')).toBeNull();
  });

  it('no open descendants but a running job: the completion check refuses', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    await manager.setTaskBackgroundJob('s', t.id, { status: 'Running' });
    await expectTaskError(manager.finalizeTrackedTaskAfterAgentRun('s', t.id), 'InvalidInput',
      "Invalid input: task 'T' cannot be completed while its background job is still Running");
  });

  it('open descendants: InProgress and the open ids in descendant order', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    const b = await manager.createTask('s', 'B', '', t.id);
    const a = await manager.createTask('s', 'A', '', t.id);
    const bb = await manager.createTask('s', 'BB', '', b.id);
    expect(await manager.finalizeTrackedTaskAfterAgentRun('s', t.id)).toEqual({ kind: 'StillInProgress', open_subtask_ids: [b.id, bb.id, a.id] });
    expect(await statuses(manager, [t.id])).toEqual(['InProgress']);
  });

  it('open descendants under a Cancelled task: status stays Cancelled', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    const c = await manager.createTask('s', 'C', '', t.id);
    await manager.updateTaskStatus('s', t.id, 'Cancelled');
    expect(await manager.finalizeTrackedTaskAfterAgentRun('s', t.id)).toEqual({ kind: 'StillInProgress', open_subtask_ids: [c.id] });
    expect(await statuses(manager, [t.id])).toEqual(['Cancelled']);
    await expectTaskError(manager.finalizeTrackedTaskAfterAgentRun('s', 'nope'), 'NotFound', 'Task not found: nope');
  });
});

describe.each(STORES)('memory lifecycle (%s store)', (kind) => {
  it('metadata becomes an object, path copied to last_memory_file_path, newest 32 kept', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    expect(await manager.getMemoryLifecycle('s', t.id)).toBeNull();
    expect(await manager.getMemoryLifecycle('s', 'nope')).toBeNull();
    await manager.updateTaskMetadata('s', t.id, [1, 2]);
    let lifecycle = await manager.recordMemoryEvent('s', t.id, newMemoryEvent('delegated', 'e0', 'task', 'note', '/mem/0.md'));
    expect(lifecycle.last_memory_file_path).toBe('/mem/0.md');
    expect((await manager.getTask('s', t.id))!.metadata).toEqual({ memory_lifecycle: expect.any(Object) });
    for (let i = 1; i < 40; i++) {
      lifecycle = await manager.recordMemoryEvent('s', t.id, newMemoryEvent('handoff', `e${i}`, null, null, i === 5 ? '/mem/5.md' : null));
    }
    expect(lifecycle.events).toHaveLength(32);
    expect(lifecycle.events[0]!.summary).toBe('e8');
    expect(lifecycle.events[31]!.summary).toBe('e39');
    expect(lifecycle.last_memory_file_path).toBe('/mem/5.md');
    expect(await manager.getMemoryLifecycle('s', t.id)).toEqual(lifecycle);
  });

  it('other metadata keys survive; a malformed lifecycle is a Serialization error and nothing is written', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    await manager.updateTaskMetadata('s', t.id, { other: 1, memory_lifecycle: { events: 'not a list' } });
    const event: TaskMemoryEvent = newMemoryEvent('promoted', 'x');
    const error = await manager.recordMemoryEvent('s', t.id, event).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'Serialization' });
    expect((error as Error).message).toMatch(/^Serialization error: .*memory_lifecycle\.events/);
    await expect(manager.getMemoryLifecycle('s', t.id)).rejects.toMatchObject({ kind: 'Serialization' });
    await manager.updateTaskMetadata('s', t.id, { other: 1 });
    await manager.recordMemoryEvent('s', t.id, event);
    expect(Object.keys((await manager.getTask('s', t.id))!.metadata as object)).toEqual(['other', 'memory_lifecycle']);
    await expectTaskError(manager.recordMemoryEvent('s', 'nope', event), 'NotFound', 'Task not found: nope');
  });
});

describe.each(STORES)('execution state through the manager (%s store)', (kind) => {
  it('default when absent, callback changes it, stored and returned; getExecutionState null when missing', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    expect(await manager.getExecutionState('s', t.id)).toBeNull();
    const state = await manager.updateExecutionState('s', t.id, (s) => {
      expect(s.saw_tool_activity).toBe(false);
      expect(s.evidence).toEqual([]);
      s.saw_blocker = true;
      s.last_runtime_note = 'stuck';
    });
    expect(state).toMatchObject({ saw_blocker: true, last_runtime_note: 'stuck' });
    expect(await manager.getExecutionState('s', t.id)).toEqual(state);
    const again = await manager.updateExecutionState('s', t.id, (s) => {
      expect(s.saw_blocker).toBe(true);
    });
    expect(again).toEqual(state);
  });

  it('a throwing callback changes nothing and surfaces as a TaskError', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    const error = await manager
      .updateExecutionState('s', t.id, () => {
        throw new Error('nope');
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'InvalidInput' });
    expect((await manager.getTask('s', t.id))!.metadata).toBeNull();
  });
});

describe.each(STORES)('other operations (%s store)', (kind) => {
  it('updateTask changes name and/or description; NotFound when missing', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', 'd');
    expect(await manager.updateTask('s', t.id, 'T2')).toMatchObject({ name: 'T2', description: 'd' });
    expect(await manager.updateTask('s', t.id, null, 'd2')).toMatchObject({ name: 'T2', description: 'd2' });
    await expectTaskError(manager.updateTask('s', 'nope', 'x'), 'NotFound', 'Task not found: nope');
  });

  it('deleteTask returns the removed task; NotFound when missing; getTask null after', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', 'd');
    expect(await manager.deleteTask('s', t.id)).toEqual(t);
    expect(await manager.getTask('s', t.id)).toBeNull();
    await expectTaskError(manager.deleteTask('s', t.id), 'NotFound', `Task not found: ${t.id}`);
  });

  it('setTaskBackgroundJob sets and clears; updateTaskMetadata replaces', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'T', '');
    expect((await manager.setTaskBackgroundJob('s', t.id, { status: 'Failed', job_id: 'j' })).background_job).toEqual({ status: 'Failed', job_id: 'j' });
    expect((await manager.setTaskBackgroundJob('s', t.id, null)).background_job).toBeUndefined();
    await manager.updateTaskMetadata('s', t.id, { a: 1 });
    expect((await manager.updateTaskMetadata('s', t.id, { b: 2 })).metadata).toEqual({ b: 2 });
    expect((await manager.updateTaskMetadata('s', t.id, null)).metadata).toBeNull();
    await expectTaskError(manager.setTaskBackgroundJob('s', 'nope', null), 'NotFound', 'Task not found: nope');
    await expectTaskError(manager.updateTaskMetadata('s', 'nope', 1), 'NotFound', 'Task not found: nope');
  });

  it('a session with no file reads as empty and nothing is written by reads', async () => {
    const manager = managerOn(kind);
    expect(await manager.listTasks('new')).toEqual([]);
    expect((await manager.loadTaskList('new')).tasks).toEqual([]);
    expect(await manager.getTaskTree('new')).toEqual([]);
    expect(await manager.getCurrentTaskId('new')).toBeNull();
    expect(await manager.listSessions()).toEqual([]);
    const fs = await import('node:fs');
    if (kind === 'file') expect(fs.existsSync(`${manager.baseDir}/.gestura`)).toBe(false);
    await manager.createTask('new', 'T', '');
    expect(await manager.listSessions()).toEqual(['new']);
    if (kind === 'file') {
      expect(fs.existsSync(manager.sessionPath('new'))).toBe(true);
      expect(manager.sessionPath('new')).toBe(`${manager.baseDir}/.gestura/tasks/new.json`);
    } else {
      expect(manager.sessionPath('new')).toMatch(/^postgres:\/\/[^@/]+\/\w+#\w+\/new$/);
    }
  });

  it('listTasks keeps list order; loadTaskList / replaceTaskList round-trip', async () => {
    const manager = managerOn(kind);
    const a = await manager.createTask('s', 'A', '');
    const b = await manager.createTask('s', 'B', '');
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['A', 'B']);
    const list = await manager.loadTaskList('s');
    list.removeTask(a.id);
    list.setCurrentTaskId(b.id);
    await manager.replaceTaskList('s', list);
    expect((await manager.listTasks('s')).map((t) => t.id)).toEqual([b.id]);
    expect(await manager.getCurrentTaskId('s')).toBe(b.id);
    const error = await manager.replaceTaskList('s', new TaskList('other')).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'InvalidInput' });
  });
});
