/** JSON forms (docs/behaviour.md): enumerations, status parsing and display, and the JSON forms (key order, omission) we write. */
import { describe, expect, it } from 'vitest';
import {
  formatTaskStatus,
  newBackgroundJob,
  newExecutionEvidence,
  newMemoryEvent,
  parseTaskStatus,
  TaskBackgroundStatus,
  TaskExecutionEvidenceKind,
  TaskExecutionKind,
  TaskMemoryPhase,
  TaskSchema,
  TaskSource,
  TaskStatus,
  TaskListSchema,
  TaskExecutionEvidenceSchema,
  TaskVerificationProfileSchema,
  RequirementBreakdownTaskSpecSchema,
  TaskMemoryLifecycleSchema,
  mergeProfile,
  recordEvidence,
  isTerminal,
} from '../src/index.js';
import { cleanTempDirsAfterEach, expectTaskError } from './helpers/env.js';
import { managerOn, STORES, storedText } from './helpers/stores.js';

cleanTempDirsAfterEach();

describe('enumerations (A2, C)', () => {
  it('serialize with the exact strings of the original', () => {
    expect(Object.values(TaskStatus)).toEqual(['NotStarted', 'Blocked', 'InProgress', 'Completed', 'Cancelled']);
    expect(Object.values(TaskSource)).toEqual(['User', 'Agent', 'Orchestrator']);
    expect(Object.values(TaskBackgroundStatus)).toEqual(['Queued', 'Blocked', 'AwaitingApproval', 'Running', 'Succeeded', 'Failed', 'Cancelled']);
    expect(Object.values(TaskMemoryPhase)).toEqual(['delegated', 'handoff', 'promoted', 'blocked']);
    expect(Object.values(TaskExecutionKind)).toEqual(['planning', 'implementation', 'verification', 'general']);
    expect(Object.values(TaskExecutionEvidenceKind)).toEqual([
      'tool_activity', 'diagnostic', 'contradiction', 'blocker', 'mutation', 'build', 'test', 'artifact',
    ]);
    expect(TaskStatus.InProgress).toBe('InProgress');
    expect(TaskMemoryPhase.Handoff).toBe('handoff');
  });

  it('display forms of every status', () => {
    expect(Object.values(TaskStatus).map(formatTaskStatus)).toEqual(['not_started', 'blocked', 'in_progress', 'completed', 'cancelled']);
  });

  it('terminal = Completed or Cancelled', () => {
    const terminal = Object.values(TaskStatus).filter((status) => isTerminal({ status }));
    expect(terminal).toEqual(['Completed', 'Cancelled']);
  });
});

describe.each(STORES)('parseTaskStatus (Rust FromStr) (%s store)', (kind) => {
  const cases: [string, TaskStatus][] = [
    ['not_started', 'NotStarted'], ['todo', 'NotStarted'], ['new', 'NotStarted'], ['Not-Started', 'NotStarted'],
    ['blocked', 'Blocked'], ['waiting', 'Blocked'], ['PENDING', 'Blocked'],
    ['in_progress', 'InProgress'], ['in-progress', 'InProgress'], ['doing', 'InProgress'], ['WiP', 'InProgress'],
    ['completed', 'Completed'], ['  done\n', 'Completed'],
    ['cancelled', 'Cancelled'], ['canceled', 'Cancelled'], ['\tDropped ', 'Cancelled'],
  ];
  it.each(cases)('%j → %s', (text, status) => {
    expect(parseTaskStatus(text)).toBe(status);
  });

  it.each(['finished', 'in progress', 'InProgress', '', 'not__started', 'ＤＯＮＥ'])('refuses %j with the exact text, quoting the input as given', async (text) => {
    await expectTaskError(
      () => parseTaskStatus(text),
      'InvalidInput',
      `Invalid input: Unknown task status: '${text}'. Expected: not_started, blocked, in_progress, completed, cancelled`,
    );
  });

  it('lower-cases ASCII only (Turkish dotted I is not "i")', async () => {
    await expectTaskError(() => parseTaskStatus('DO\u0130NG'), 'InvalidInput',
      "Invalid input: Unknown task status: 'DO\u0130NG'. Expected: not_started, blocked, in_progress, completed, cancelled");
  });

  it('manager accepts status aliases too', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'A', '');
    expect((await manager.updateTaskStatus('s', t.id, 'wip')).status).toBe('InProgress');
    await expectTaskError(manager.updateTaskStatus('s', t.id, 'later'), 'InvalidInput',
      "Invalid input: Unknown task status: 'later'. Expected: not_started, blocked, in_progress, completed, cancelled");
  });
});

function keysOf(value: unknown): string[] {
  return Object.keys(value as object);
}

describe.each(STORES)('JSON forms we write (A1, A2) (%s store)', (kind) => {
  it('a minimal task: key order, blocked_by/phase/background_job omitted, nulls written, no trailing newline, 2-space indent', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'Plain', 'desc');
    const text = (await storedText(manager, 's'));
    expect(text).toBe(`{
  "session_id": "s",
  "tasks": [
    {
      "id": "${t.id}",
      "name": "Plain",
      "description": "desc",
      "status": "NotStarted",
      "parent_id": null,
      "sort_order": 0,
      "created_at": "2025-01-01T00:00:00.000000000Z",
      "updated_at": "2025-01-01T00:00:00.000000000Z",
      "session_id": "s",
      "source": "User",
      "orchestrator_task_id": null,
      "agent_id": null,
      "metadata": null
    }
  ]
}`);
  });

  it('a full task: every key in the order of the original, background job keys in order, current_task_id last, raw UTF-8', async () => {
    const manager = managerOn(kind);
    const blocker = await manager.createTask('s', 'Blocker ✓', '');
    const t = await manager.createOrchestratorTask('s', 'orch-1', 'agent-1', 'Ünïcödé 🚀', 'd', { z: 1, a: [true] });
    await manager.addTaskDependency('s', t.id, blocker.id);
    await manager.setTaskBackgroundJob('s', t.id, newBackgroundJob('Running', 'job-9', 'working'));
    await manager.setCurrentTaskId('s', t.id);
    const text = (await storedText(manager, 's'));
    expect(text).toContain('"name": "Ünïcödé 🚀"');
    expect(text).not.toMatch(/\\u/);
    const data = JSON.parse(text) as { tasks: Record<string, unknown>[] };
    expect(keysOf(data)).toEqual(['session_id', 'tasks', 'current_task_id']);
    const written = data.tasks[1] as Record<string, unknown>;
    expect(keysOf(written)).toEqual([
      'id', 'name', 'description', 'status', 'parent_id', 'blocked_by', 'background_job', 'sort_order',
      'created_at', 'updated_at', 'session_id', 'source', 'orchestrator_task_id', 'agent_id', 'metadata',
    ]);
    expect(keysOf(written.background_job)).toEqual(['status', 'job_id', 'message']);
    expect(written.blocked_by).toEqual([blocker.id]);
    expect(written.metadata).toEqual({ z: 1, a: [true] });
    expect(keysOf(written.metadata)).toEqual(['z', 'a']);
  });

  it('phase is written after sort_order when present; a background job without id/message omits them', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'P', '');
    const list = await manager.loadTaskList('s');
    const data = list.toJSON();
    (data.tasks[0] as Record<string, unknown>).phase = 'design';
    (data.tasks[0] as Record<string, unknown>).background_job = { status: 'Queued' };
    const { TaskList } = await import('../src/index.js');
    await manager.replaceTaskList('s', TaskList.fromJSON(data));
    const written = (JSON.parse((await storedText(manager, 's'))) as { tasks: Record<string, unknown>[] }).tasks[0]!;
    expect(keysOf(written).slice(5, 9)).toEqual(['background_job', 'sort_order', 'phase', 'created_at']);
    expect(written.background_job).toEqual({ status: 'Queued' });
    expect(written.id).toBe(t.id);
  });

  it('execution state and memory lifecycle in metadata follow their key order and omission rules', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'E', '');
    await manager.updateExecutionState('s', t.id, (state) => {
      mergeProfile(state, { requires_build: true });
      recordEvidence(state, newExecutionEvidence('build', 'cargo build', null, 'cargo build', true));
    });
    await manager.recordMemoryEvent('s', t.id, newMemoryEvent('delegated', 'sent', null, null, null));
    const written = (JSON.parse((await storedText(manager, 's'))) as { tasks: { metadata: Record<string, Record<string, unknown>> }[] }).tasks[0]!;
    const state = written.metadata.execution_state!;
    expect(keysOf(state)).toEqual([
      'verification_profile', 'saw_tool_activity', 'saw_mutation', 'saw_diagnostic_progress', 'saw_contradiction',
      'saw_blocker', 'build_succeeded', 'test_succeeded', 'evidence',
    ]);
    expect(keysOf(state.verification_profile)).toEqual([
      'execution_kind', 'requires_mutation', 'requires_build', 'requires_test', 'requires_external_evidence',
      'requires_launch_evidence', 'parallel_safe',
    ]);
    expect(keysOf((state.evidence as unknown[])[0])).toEqual(['kind', 'summary', 'command', 'success', 'recorded_at']);
    const lifecycle = written.metadata.memory_lifecycle!;
    expect(keysOf(lifecycle)).toEqual(['events']);
    expect(keysOf((lifecycle.events as unknown[])[0])).toEqual(['phase', 'summary', 'recorded_at']);
  });

  it('an execution state without evidence omits "evidence"; a note is written before it', async () => {
    const manager = managerOn(kind);
    const t = await manager.createTask('s', 'E', '');
    await manager.updateExecutionState('s', t.id, (state) => {
      state.last_runtime_note = 'note';
    });
    const written = (JSON.parse((await storedText(manager, 's'))) as { tasks: { metadata: Record<string, Record<string, unknown>> }[] }).tasks[0]!;
    const state = written.metadata.execution_state!;
    expect(keysOf(state).slice(-1)).toEqual(['last_runtime_note']);
    expect('evidence' in state).toBe(false);
  });
});

describe('JSON forms we read (A2)', () => {
  const base = {
    id: 'a', name: 'n', description: '', status: 'NotStarted',
    created_at: '2024-01-02T03:04:05Z', updated_at: '2024-01-02T03:04:05Z', session_id: 's',
  };

  it('missing defaulted and optional keys take defaults; unknown keys are accepted and kept', () => {
    const task = TaskSchema.parse({ ...base, future_key: { x: 1 } });
    expect(task).toMatchObject({ parent_id: null, blocked_by: [], sort_order: 0, source: 'User', orchestrator_task_id: null, agent_id: null, metadata: null });
    expect((task as Record<string, unknown>).future_key).toEqual({ x: 1 });
    expect(task.background_job).toBeUndefined();
    expect(task.phase).toBeUndefined();
  });

  it.each(['blocked_by', 'sort_order', 'source'])('null for %s is an error, as in Rust', (key) => {
    expect(TaskSchema.safeParse({ ...base, [key]: null }).success).toBe(false);
  });

  it('sort_order must be an int32', () => {
    expect(TaskSchema.safeParse({ ...base, sort_order: 2147483647 }).success).toBe(true);
    expect(TaskSchema.safeParse({ ...base, sort_order: 2147483648 }).success).toBe(false);
    expect(TaskSchema.safeParse({ ...base, sort_order: 1.5 }).success).toBe(false);
  });

  it('timestamps: 0/3/6/9 fraction digits and offsets are valid, others are not', () => {
    for (const ts of ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.123Z', '2024-01-02T03:04:05.123456Z', '2024-01-02T03:04:05.123456789Z', '2024-01-02T05:04:05+02:00']) {
      expect(TaskSchema.safeParse({ ...base, created_at: ts }).success, ts).toBe(true);
    }
    for (const ts of ['2024-01-02 03:04:05Z', '2024-01-02T03:04:05', 'yesterday', '2024-13-02T03:04:05Z']) {
      expect(TaskSchema.safeParse({ ...base, created_at: ts }).success, ts).toBe(false);
    }
  });

  it('TaskList: current_task_id optional, tasks required', () => {
    expect(TaskListSchema.parse({ session_id: 's', tasks: [] }).current_task_id ?? null).toBeNull();
    expect(TaskListSchema.safeParse({ session_id: 's' }).success).toBe(false);
  });

  it('evidence success defaults to true; profile keys default to general/false', () => {
    expect(TaskExecutionEvidenceSchema.parse({ kind: 'build', summary: 'x', recorded_at: '2024-01-02T03:04:05Z' }).success).toBe(true);
    expect(TaskVerificationProfileSchema.parse({})).toEqual({
      execution_kind: 'general', requires_mutation: false, requires_build: false, requires_test: false,
      requires_external_evidence: false, requires_launch_evidence: false, parallel_safe: false,
    });
    expect(TaskMemoryLifecycleSchema.parse({}).events).toEqual([]);
  });

  it('breakdown spec: parent_name defaults to none; the other four are required', () => {
    expect(RequirementBreakdownTaskSpecSchema.parse({ name: 'a', description: 'b', priority: 'p', is_blocking: false }).parent_name).toBeNull();
    for (const key of ['name', 'description', 'priority', 'is_blocking']) {
      const spec: Record<string, unknown> = { name: 'a', description: 'b', priority: 'p', is_blocking: false };
      delete spec[key];
      expect(RequirementBreakdownTaskSpecSchema.safeParse(spec).success, key).toBe(false);
    }
  });
});
