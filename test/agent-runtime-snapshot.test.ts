/**
 * The runtime snapshot: ready / blocked / open agree with the model's single definitions (the ready
 * queue, the completion gate), and `missing` names exactly what satisfiesProfile lacks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MemoryTaskStore,
  TaskManager,
  TaskNotFoundError,
  defaultExecutionState,
  isTerminal,
  mergeProfile,
  missingRequirements,
  newExecutionEvidence,
  recordEvidence,
  runtimeSnapshot,
  satisfiesProfile,
  steppingClock,
  TaskExecutionEvidenceKind,
  type TaskExecutionState,
} from '../src/index.js';
import { randomSession } from './helpers/agent-sessions.js';

function counterIds(): () => string {
  let n = 0;
  return () => `t${++n}`;
}

const ids = (tasks: readonly { id: string }[]): string[] => tasks.map((t) => t.id);

describe('runtimeSnapshot', () => {
  it('reports current, ready, parallel-ready, blocked with reasons, open, finished and missing evidence', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore(), clock: steppingClock(), newId: counterIds() });
    const s = 's';
    const root = await manager.createTask(s, 'Root', '');
    const a = await manager.createTask(s, 'A', '', root.id);
    const b = await manager.createTask(s, 'B', '', root.id);
    const c = await manager.createTask(s, 'C', '');
    const d = await manager.createTask(s, 'D', '');
    const e = await manager.createTask(s, 'E', '');
    await manager.addTaskDependency(s, c.id, a.id);
    await manager.addTaskDependency(s, c.id, b.id);
    await manager.setTaskBackgroundJob(s, d.id, { status: 'AwaitingApproval', message: 'needs a human' });
    await manager.updateExecutionState(s, a.id, (st) => mergeProfile(st, { parallel_safe: true, requires_test: true }));
    await manager.updateExecutionState(s, b.id, (st) => mergeProfile(st, { requires_mutation: true }));
    await manager.updateTaskStatus(s, b.id, 'in_progress');
    await manager.setCurrentTaskId(s, b.id);
    await manager.updateTaskStatus(s, e.id, 'done');

    const snap = await manager.runtimeSnapshot(s);
    expect(snap.current_task?.id).toBe(b.id);
    expect(ids(snap.ready_tasks)).toEqual(ids(await manager.readyTasks(s)));
    // D's background job is active (waiting for approval): the job owns its work, so it is not ready.
    expect(ids(snap.ready_tasks)).toEqual([a.id]);
    expect(ids(snap.parallel_ready_tasks)).toEqual([a.id]);
    expect(snap.blocked_tasks).toEqual([
      {
        task: expect.objectContaining({ id: c.id }),
        waiting_for: [
          { id: a.id, name: 'A', status: 'NotStarted' },
          { id: b.id, name: 'B', status: 'InProgress' },
        ],
        open_subtasks: [],
        job: null,
      },
      {
        task: expect.objectContaining({ id: d.id }),
        waiting_for: [],
        open_subtasks: [],
        job: { status: 'AwaitingApproval', message: 'needs a human' },
      },
    ]);
    expect(ids(snap.in_progress_tasks)).toEqual([root.id, b.id]);
    expect(ids(snap.open_tasks)).toEqual([root.id, a.id, b.id, c.id, d.id]);
    expect(ids(snap.completed_tasks)).toEqual([e.id]);
    expect(snap.missing_requirements.map((m) => [m.task.id, m.missing])).toEqual([
      [a.id, ['test']],
      [b.id, ['mutation']],
    ]);
    expect(snap.status_message).toBe(
      "Current: 'B' (in_progress). 2 in progress, 1 ready (1 parallel-safe), 2 blocked, 5 open of 6, 1 completed. 2 open tasks lack verification evidence.",
    );

    // A job waiting for approval holds a task that is not a leaf of the ready queue.
    await manager.createTask(s, 'D1', '', d.id);
    const held = await manager.runtimeSnapshot(s);
    expect(held.blocked_tasks.map((x) => [x.task.id, x.job?.status, ids(x.open_subtasks)])).toEqual([
      [c.id, undefined, []],
      [d.id, 'AwaitingApproval', ['t7']],
    ]);
  });

  it('covers one subtree with rootId, and fails with NotFound for a missing root', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore(), newId: counterIds() });
    const root = await manager.createTask('s', 'Root', '');
    await manager.createTask('s', 'Child', '', root.id);
    await manager.createTask('s', 'Other', '');
    const snap = await manager.runtimeSnapshot('s', root.id);
    expect(snap.root_id).toBe(root.id);
    expect(ids(snap.open_tasks)).toEqual(['t1', 't2']);
    expect(ids(snap.ready_tasks)).toEqual(['t2']);
    await expect(manager.runtimeSnapshot('s', 'nope')).rejects.toThrow(TaskNotFoundError);
    expect((await manager.runtimeSnapshot('empty')).status_message).toBe('No tasks.');
  });

  it('names an unreadable execution state as missing instead of failing', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore() });
    const t = await manager.createTask('s', 'T', '');
    await manager.updateTaskMetadata('s', t.id, { execution_state: { verification_profile: 'broken' } });
    const snap = await manager.runtimeSnapshot('s');
    expect(snap.missing_requirements.map((m) => m.missing)).toEqual([['execution_state']]);
    expect(snap.parallel_ready_tasks).toEqual([]);
  });

  it('agrees with the ready queue and the blocked rule on random sessions', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore() });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 120 }), fc.integer(), async (n, seed) => {
        const list = randomSession(n, seed, 'r');
        await manager.replaceTaskList('r', list);
        const snap = runtimeSnapshot(list);
        expect(ids(snap.ready_tasks)).toEqual(ids(await manager.readyTasks('r')));
        expect(ids(snap.open_tasks)).toEqual(ids(list.tasks.filter((t) => !isTerminal(t))));
        const ready = new Set(ids(snap.ready_tasks));
        for (const blocked of snap.blocked_tasks) {
          expect(ready.has(blocked.task.id)).toBe(false);
          expect(isTerminal(blocked.task)).toBe(false);
          for (const w of blocked.waiting_for) expect(w.status === null || (w.status !== 'Completed' && w.status !== 'Cancelled')).toBe(true);
        }
        const blockedIds = new Set(snap.blocked_tasks.map((x) => x.task.id));
        for (const t of list.tasks) {
          if (!isTerminal(t) && !ready.has(t.id) && list.isTaskBlocked(t.id)) expect(blockedIds.has(t.id)).toBe(true);
        }
        for (const p of snap.parallel_ready_tasks) expect(ready.has(p.id)).toBe(true);
        expect(snap.completed_tasks.length + snap.cancelled_tasks.length + snap.open_tasks.length).toBe(list.size);
      }),
      { numRuns: 60 },
    );
  });
});

describe('missingRequirements', () => {
  const evidenceArb = fc.record({
    kind: fc.constantFrom(...Object.values(TaskExecutionEvidenceKind)),
    tool: fc.constantFrom('shell', 'web', 'web_search', 'browser', 'edit_file', 'open-browser'),
    command: fc.constantFrom('npm run dev', 'cargo tauri dev', 'npm test', 'ls', 'pnpm dev'),
    success: fc.boolean(),
  });
  const profileArb = fc.record({
    requires_mutation: fc.boolean(),
    requires_build: fc.boolean(),
    requires_test: fc.boolean(),
    requires_external_evidence: fc.boolean(),
    requires_launch_evidence: fc.boolean(),
  });

  it('is empty exactly when satisfiesProfile is true', () => {
    fc.assert(
      fc.property(profileArb, fc.array(evidenceArb, { maxLength: 40 }), (profile, evidence) => {
        const state: TaskExecutionState = defaultExecutionState();
        mergeProfile(state, profile);
        evidence.forEach((e, i) => recordEvidence(state, newExecutionEvidence(e.kind, `e${i}`, e.tool, e.command, e.success)));
        expect(missingRequirements(state).length === 0).toBe(satisfiesProfile(state));
      }),
      { numRuns: 500 },
    );
  });

  it('names each missing requirement, including evidence that came before the last mutation', () => {
    const state = defaultExecutionState();
    expect(missingRequirements(state)).toEqual(['tool_activity']);
    mergeProfile(state, { requires_mutation: true, requires_build: true, requires_test: true, requires_external_evidence: true, requires_launch_evidence: true });
    expect(missingRequirements(state)).toEqual(['mutation', 'build', 'test', 'external_evidence', 'launch_evidence']);
    recordEvidence(state, newExecutionEvidence('tool_activity', 'searched', 'web_search'));
    recordEvidence(state, newExecutionEvidence('mutation', 'edited', 'edit_file'));
    recordEvidence(state, newExecutionEvidence('build', 'built', 'shell', 'npm run build'));
    recordEvidence(state, newExecutionEvidence('tool_activity', 'launched', 'shell', 'npm run dev'));
    expect(missingRequirements(state)).toEqual(['test', 'external_evidence']);
  });
});
