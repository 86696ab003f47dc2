/** Errors, the global manager and the TypeScript surface (docs/behaviour.md, README). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from '../src/index.js';
import {
  InvalidInputError,
  isTaskError,
  newMemoryEvent,
  TaskError,
  TaskIoError,
  TaskList,
  TaskManager,
  TaskNotFoundError,
  TaskSerializationError,
  type Task,
} from '../src/index.js';
import { caught, cleanTempDirsAfterEach, deterministicManager, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

describe('error classes (A7, C)', () => {
  it('four kinds with the exact message prefixes, all TaskError and Error', () => {
    const cause = new Error('root cause');
    const errors: [TaskError, string, string][] = [
      [new TaskNotFoundError('abc'), 'NotFound', 'Task not found: abc'],
      [new InvalidInputError('bad thing', { cause }), 'InvalidInput', 'Invalid input: bad thing'],
      [new TaskIoError('disk gone', { cause }), 'Io', 'I/O error: disk gone'],
      [new TaskSerializationError('not json', { cause }), 'Serialization', 'Serialization error: not json'],
    ];
    for (const [error, kind, message] of errors) {
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(TaskError);
      expect(isTaskError(error)).toBe(true);
      expect(error.kind).toBe(kind);
      expect(error.message).toBe(message);
      expect(error.name).toBe(error.constructor.name);
    }
    expect((errors[0]![0] as TaskNotFoundError).taskId).toBe('abc');
    expect(errors[1]![0].cause).toBe(cause);
    expect(isTaskError(new Error('x'))).toBe(false);
  });

  it('a platform failure surfaces as TaskIoError with the cause', async () => {
    const dir = tempDir();
    const blocker = path.join(dir, 'file-not-dir');
    fs.writeFileSync(blocker, 'x');
    const manager = new TaskManager(blocker);
    const error = await caught(manager.createTask('s', 'T', ''));
    expect(error).toBeInstanceOf(TaskIoError);
    expect(error.message).toMatch(/^I\/O error: /);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('nothing but TaskError comes out of the public API, whatever the arguments', async () => {
    const { manager } = deterministicManager();
    const t = await manager.createTask('s', 'T', '');
    const junk: unknown[] = [undefined, null, 42, {}, [], () => 1, Symbol('x'), 10n, '\ud800'];
    const calls: ((x: never) => Promise<unknown>)[] = [
      (x) => manager.createTask('s', x, ''),
      (x) => manager.createTask('s', 'ok', x),
      (x) => manager.updateTaskStatus('s', t.id, x),
      (x) => manager.updateTaskStatus('s', x, 'Completed'),
      (x) => manager.addTaskDependency('s', t.id, x),
      (x) => manager.setTaskBackgroundJob('s', t.id, x),
      (x) => manager.recordTaskResult('s', t.id, x, 'o', 1, 1),
      (x) => manager.recordTaskResult('s', t.id, true, 'o', x, 1),
      (x) => manager.recordMemoryEvent('s', t.id, x),
      (x) => manager.updateExecutionState('s', t.id, x),
      (x) => manager.materializeRequirementBreakdown('s', x),
      (x) => manager.materializeRequirementBreakdown('s', [x]),
      (x) => manager.initializeAutoTrackedExecutionPlan('s', 'r', x, []),
      (x) => manager.replaceTaskList('s', x),
      (x) => manager.batch('s', x),
      (x) => manager.getTask(x, t.id),
    ];
    for (const call of calls) {
      for (const value of junk) {
        try {
          await call(value as never);
        } catch (error) {
          expect(error, `${String(call)} with ${String(typeof value)}`).toBeInstanceOf(TaskError);
        }
      }
    }
    expect(() => api.parseRequirementBreakdownResponse(42 as never)).toThrow(TaskError);
    expect(() => api.parseTaskStatus(null as never)).toThrow(TaskError);
    expect(() => TaskList.fromJSON({ session_id: 's', tasks: [{}] })).toThrow(TaskSerializationError);
  });
});

describe('global manager (A8)', () => {
  const saved = process.env.GESTURA_HOME_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.GESTURA_HOME_DIR;
    else process.env.GESTURA_HOME_DIR = saved;
    vi.resetModules();
  });

  it('one shared instance rooted at GESTURA_HOME_DIR', async () => {
    const dir = tempDir();
    process.env.GESTURA_HOME_DIR = dir;
    vi.resetModules();
    const fresh = await import('../src/index.js');
    const manager = fresh.getGlobalTaskManager();
    expect(fresh.getGlobalTaskManager()).toBe(manager);
    expect(manager.baseDir).toBe(path.resolve(dir));
    await manager.createTask('global', 'T', '');
    expect(fs.existsSync(path.join(dir, '.gestura', 'tasks', 'global.json'))).toBe(true);
  });

  it('falls back to the home directory when GESTURA_HOME_DIR is unset', async () => {
    delete process.env.GESTURA_HOME_DIR;
    vi.resetModules();
    const fresh = await import('../src/index.js');
    expect(fresh.getGlobalTaskManager().baseDir).toBe(path.resolve(os.homedir()));
    expect(fresh.globalBaseDir({})).toBe(os.homedir());
    expect(fresh.globalBaseDir({ GESTURA_HOME_DIR: '/somewhere' })).toBe('/somewhere');
  });
});

describe('Part C surface', () => {
  it('exports the documented names', () => {
    for (const name of [
      'TaskManager', 'TaskList', 'getGlobalTaskManager', 'TaskError', 'TaskNotFoundError', 'InvalidInputError', 'TaskIoError',
      'TaskSerializationError', 'TaskStatus', 'TaskSource', 'TaskBackgroundStatus', 'TaskMemoryPhase', 'TaskExecutionKind',
      'TaskExecutionEvidenceKind', 'TaskSchema', 'TaskListSchema', 'TaskBackgroundJobSchema', 'TaskMemoryEventSchema',
      'TaskMemoryLifecycleSchema', 'TaskVerificationProfileSchema', 'TaskExecutionEvidenceSchema', 'TaskExecutionStateSchema',
      'RequirementBreakdownTaskSpecSchema', 'newTask', 'newTaskWithSource', 'taskFromOrchestratorTask', 'isTerminal',
      'parseTaskStatus', 'formatTaskStatus', 'newBackgroundJob', 'newMemoryEvent', 'newExecutionEvidence',
      'defaultExecutionState', 'mergeProfile', 'recordEvidence', 'satisfiesProfile', 'parseRequirementBreakdownResponse',
    ]) {
      expect(api, name).toHaveProperty(name);
    }
  });

  it('record constructors: optional arguments omitted, success defaults to true', () => {
    expect(api.newBackgroundJob('Running')).toEqual({ status: 'Running' });
    expect(api.newBackgroundJob('Failed', 'j', 'm')).toEqual({ status: 'Failed', job_id: 'j', message: 'm' });
    const event = newMemoryEvent('promoted', 'sum', 'scope', 'type', '/p');
    expect(Object.keys(event)).toEqual(['phase', 'summary', 'scope', 'memory_type', 'memory_file_path', 'recorded_at']);
    expect(Object.keys(newMemoryEvent('blocked', 's'))).toEqual(['phase', 'summary', 'recorded_at']);
    const evidence = api.newExecutionEvidence('build', 'b');
    expect(evidence).toMatchObject({ kind: 'build', summary: 'b', success: true });
    expect(Object.keys(evidence)).toEqual(['kind', 'summary', 'success', 'recorded_at']);
    const full = api.newExecutionEvidence('test', 't', 'shell', 'npm test', false);
    expect(full).toMatchObject({ tool_name: 'shell', command: 'npm test', success: false });
    expect(Object.keys(full)).toEqual(['kind', 'summary', 'tool_name', 'command', 'success', 'recorded_at']);
  });

  it('TaskList class: constructor, fromJSON (validating, with field path), toJSON, lookups', () => {
    const list = new TaskList('s');
    expect(list.sessionId).toBe('s');
    expect(list.tasks).toEqual([]);
    expect(list.currentTaskId()).toBeNull();
    const a = api.newTask('s', 'A', '');
    const b = api.newTask('s', 'B', '', a.id);
    list.addTask(a);
    list.addTask(b);
    expect(list.findTask(b.id)).toBe(b);
    expect(list.findTask('zz')).toBeNull();
    list.setCurrentTaskId(b.id);
    const json = JSON.parse(JSON.stringify(list.toJSON())) as unknown;
    const back = TaskList.fromJSON(json);
    expect(back.tasks).toEqual([a, b]);
    expect(back.currentTaskId()).toBe(b.id);
    list.setCurrentTaskId(null);
    expect(list.toJSON().current_task_id ?? null).toBeNull();
    let error: unknown;
    try {
      TaskList.fromJSON({ session_id: 's', tasks: [a, { ...b, status: 'Nope' }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TaskSerializationError);
    expect((error as TaskSerializationError).fieldPath).toBe('tasks[1].status');
    expect(() => list.addTask(a)).toThrow(InvalidInputError);
  });

  it('the manager hands out copies and keeps copies of what it is given', async () => {
    const { manager } = deterministicManager();
    const metadata = { nested: { n: 1 } };
    const t = await manager.createOrchestratorTask('s', 'o', 'a', 'T', '', metadata);
    metadata.nested.n = 99;
    t.name = 'mutated';
    (t.metadata as { nested: { n: number } }).nested.n = 42;
    const fetched = (await manager.getTask('s', t.id))!;
    expect(fetched.name).toBe('T');
    expect(fetched.metadata).toEqual({ nested: { n: 1 } });
    fetched.blocked_by.push('x');
    (await manager.listTasks('s'))[0]!.status = 'Completed';
    (await manager.getTaskTree('s'))[0]!.task.name = 'tree';
    (await manager.getHierarchy('s'))[0]![0].name = 'hier';
    const loaded = await manager.loadTaskList('s');
    loaded.removeTask(t.id);
    const child = await manager.createTask('s', 'C', '', t.id);
    (await manager.listDescendants('s', t.id))[0]!.name = 'desc';
    const again = (await manager.getTask('s', t.id))!;
    expect(again).toMatchObject({ name: 'T', status: 'NotStarted', blocked_by: [] });
    expect((await manager.getTask('s', child.id))!.name).toBe('C');
    const list = await manager.loadTaskList('s');
    await manager.replaceTaskList('s', list);
    list.removeTask(t.id);
    expect(await manager.listTasks('s')).toHaveLength(2);
    let kept: api.TaskExecutionState | null = null;
    const state = await manager.updateExecutionState('s', t.id, (s) => {
      kept = s;
    });
    state.saw_blocker = true;
    kept!.saw_mutation = true;
    expect(await manager.getExecutionState('s', t.id)).toMatchObject({ saw_blocker: false, saw_mutation: false });
    const event = newMemoryEvent('handoff', 'x');
    await manager.recordMemoryEvent('s', t.id, event);
    event.summary = 'changed';
    expect((await manager.getMemoryLifecycle('s', t.id))!.events[0]!.summary).toBe('x');
  });

  it('getHierarchy is [Task, Task[]][]; TrackedTaskFinalization has kind', async () => {
    const { manager } = deterministicManager();
    const r = await manager.createTask('s', 'R', '');
    const c = await manager.createTask('s', 'C', '', r.id);
    const hierarchy: [Task, Task[]][] = await manager.getHierarchy('s');
    expect(hierarchy).toEqual([[await manager.getTask('s', r.id), [await manager.getTask('s', c.id)]]]);
    const fin: api.TrackedTaskFinalization = await manager.finalizeTrackedTaskAfterAgentRun('s', r.id);
    expect(fin).toEqual({ kind: 'StillInProgress', open_subtask_ids: [c.id] });
    expect(await manager.finalizeTrackedTaskAfterAgentRun('s', c.id)).toEqual({ kind: 'Completed' });
  });

  it('every TaskManager method returns a promise', () => {
    const manager = new TaskManager(tempDir());
    const names = Object.getOwnPropertyNames(TaskManager.prototype).filter(
      (n) => n !== 'constructor' && n !== 'sessionPath' && n !== 'on' && n !== 'off' && typeof (manager as unknown as Record<string, unknown>)[n] === 'function',
    );
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) {
      const result = (manager as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!('bad/session', 'x', 'y');
      expect(result, name).toBeInstanceOf(Promise);
      (result as Promise<unknown>).catch(() => undefined);
    }
  });
});
