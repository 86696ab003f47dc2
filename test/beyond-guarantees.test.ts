/** The README's numbered guarantees: each with a test that fails when the guarantee is broken. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MemoryTaskStore,
  newMemoryEvent,
  systemClock,
  TaskList,
  TaskManager,
  TaskSerializationError,
  type RequirementBreakdownTaskSpec,
} from '../src/index.js';
import { caught, cleanTempDirsAfterEach, counterIds, deterministicManager, expectTaskError, installFixture, readBytes, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

const spec = (name: string, parent_name: string | null = null): RequirementBreakdownTaskSpec => ({
  name, description: 'd', priority: '', is_blocking: false, parent_name,
});

describe('B1 no lost updates', () => {
  it('many async callers on one manager and on two managers: every create survives', async () => {
    const dir = tempDir();
    const a = new TaskManager(dir);
    const b = new TaskManager(dir);
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      work.push(a.createTask('s', `a${i}`, ''));
      work.push(b.createTask('s', `b${i}`, ''));
    }
    await Promise.all(work);
    const names = (await new TaskManager(dir).listTasks('s')).map((t) => t.name).sort();
    expect(names).toHaveLength(40);
    expect(new Set(names).size).toBe(40);
  });

  it('interleaved read-modify-write of the same task from two managers keeps both changes', async () => {
    const dir = tempDir();
    const a = new TaskManager(dir);
    const b = new TaskManager(dir);
    const t = await a.createTask('s', 'T', '');
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => b.createTask('s', `dep${i}`, '')));
    await Promise.all(others.map((o, i) => (i % 2 === 0 ? a : b).addTaskDependency('s', t.id, o.id)));
    expect((await a.getTask('s', t.id))!.blocked_by.slice().sort()).toEqual(others.map((o) => o.id).sort());
  });
});

describe('B2 no stale reads', () => {
  it('a second instance sees each write at once, even same-size rewrites within the same clock tick', async () => {
    const dir = tempDir();
    const a = new TaskManager(dir);
    const b = new TaskManager(dir);
    const t = await a.createTask('s', 'aaaa', '');
    expect(await b.getTask('s', t.id)).toEqual(t);
    for (const name of ['bbbb', 'cccc', 'dddd']) {
      await a.updateTask('s', t.id, name);
      expect((await b.getTask('s', t.id))!.name).toBe(name);
    }
  });

  it('a file replaced behind the manager’s back with the same size and mtime is re-read', async () => {
    const dir = tempDir();
    const a = new TaskManager(dir);
    const t = await a.createTask('s', 'aaaa', '');
    expect((await a.getTask('s', t.id))!.name).toBe('aaaa');
    const file = a.sessionPath('s');
    const stat = fs.statSync(file);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"aaaa"', '"zzzz"'));
    fs.utimesSync(file, stat.atime, stat.mtime);
    expect((await a.getTask('s', t.id))!.name).toBe('zzzz');
  });
});

describe('B3 crash-safe writes', () => {
  it('each commit publishes a new file by rename (new inode) and sweeps temp files left by a killed writer', async () => {
    const { manager } = deterministicManager();
    await manager.createTask('s', 'A', '');
    const file = manager.sessionPath('s');
    const before = fs.statSync(file).ino;
    const leftover = `${file}.2147483646.00112233aabb.gtmp`; // this library's temporary-file form
    fs.writeFileSync(leftover, '{"torn":');
    const fresh = new TaskManager(path.dirname(path.dirname(path.dirname(file))));
    await fresh.createTask('s', 'B', '');
    expect(fs.statSync(file).ino).not.toBe(before);
    expect(fs.existsSync(leftover)).toBe(false);
    expect(fs.readdirSync(path.dirname(file)).filter((n) => !n.endsWith('.lock')).sort()).toEqual(['s.json']);
    expect((await fresh.listTasks('s')).map((t) => t.name)).toEqual(['A', 'B']);
  });
});

describe('B4 all-or-nothing operations', () => {
  async function setup() {
    const { manager } = deterministicManager();
    const root = await manager.createTask('s', 'Root', '');
    const kid = await manager.createTask('s', 'Kid', '', root.id);
    const file = manager.sessionPath('s');
    return { manager, root, kid, file, bytes: readBytes(file) };
  }

  it('a failing breakdown (unresolved parents after some tasks were created) writes nothing', async () => {
    const { manager, root, file, bytes } = await setup();
    await caught(manager.materializeRequirementBreakdownUnderParent('s', root.id, [spec('A'), spec('B'), spec('X', 'Y'), spec('Y', 'X')]));
    expect(readBytes(file)).toEqual(bytes);
    expect(await manager.listTasks('s')).toHaveLength(2);
  });

  it('a failing plan, result record and completion write nothing', async () => {
    const { manager, root, file, bytes } = await setup();
    await caught(manager.initializeAutoTrackedExecutionPlan('s', 'Plan', 'x', [spec('A', 'B'), spec('B', 'A')]));
    await caught(manager.recordTaskResult('s', root.id, true, 'out', 1, 1));
    await caught(manager.finalizeTrackedTaskAfterAgentRun('s', 'missing'));
    expect(readBytes(file)).toEqual(bytes);
  });

  it('a failing batch writes nothing, even after earlier operations in it succeeded', async () => {
    const { manager, root, kid, file, bytes } = await setup();
    const error = await caught(
      manager.batch('s', (tx) => {
        tx.createTask('New', '');
        tx.updateTaskStatus(kid.id, 'Completed');
        tx.updateTask(root.id, 'Renamed');
        throw new Error('caller changed its mind');
      }),
    );
    expect(error.kind).toBe('InvalidInput');
    expect(error.cause).toBeInstanceOf(Error);
    expect(readBytes(file)).toEqual(bytes);
  });

  it('a batch commits once; an operation that fails inside it and is caught leaves no partial change', async () => {
    const { manager, root, kid } = await setup();
    const result = await manager.batch('s', (tx) => {
      const a = tx.createTask('A', '', root.id);
      try {
        tx.materializeRequirementBreakdownUnderParent(root.id, [spec('P'), spec('Q', 'R'), spec('R', 'Q')]);
      } catch {
        // ignored by the caller: the failed breakdown must not leave P behind
      }
      tx.updateTaskStatus(kid.id, 'Completed');
      return a.id;
    });
    const names = (await manager.listTasks('s')).map((t) => t.name);
    expect(names).toEqual(['Root', 'Kid', 'A']);
    expect((await manager.getTask('s', result))!.parent_id).toBe(root.id);
    // The transaction saw its own changes: Root is open because A is open.
    expect((await manager.getTask('s', root.id))!.status).toBe('InProgress');
  });

  it('a batch of many operations is a single write; a read-only batch writes nothing', async () => {
    class CountingStore extends MemoryTaskStore {
      writes = 0;
      override write(...args: Parameters<MemoryTaskStore['write']>): ReturnType<MemoryTaskStore['write']> {
        this.writes++;
        return super.write(...args);
      }
    }
    const store = new CountingStore();
    const manager = new TaskManager('unused', { store, newId: counterIds() });
    await manager.batch('s', (tx) => {
      const p = tx.createTask('P', '');
      for (let i = 0; i < 5; i++) tx.createTask(`c${i}`, '', p.id);
      tx.cancelOpenDescendants(p.id);
    });
    expect(store.writes).toBe(1);
    expect((await manager.listTasks('s')).map((t) => t.status)).toEqual(['Completed', ...Array(5).fill('Cancelled')]);
    await manager.batch('s', (tx) => tx.listTasks());
    await manager.addTaskDependency('s', 'id-2', 'id-3');
    await manager.addTaskDependency('s', 'id-2', 'id-3');
    expect(store.writes).toBe(2);
  });

  it('the transaction cannot be used after its batch finished', async () => {
    const { manager } = await setup();
    let leaked: { createTask(n: string, d: string): unknown } | null = null;
    await manager.batch('s', (tx) => {
      leaked = tx;
    });
    await expectTaskError(() => leaked!.createTask('late', ''), 'InvalidInput',
      'Invalid input: this batch has already finished; use the transaction only inside its callback');
    expect(await manager.listTasks('s')).toHaveLength(2);
  });
});

describe('B5 never destroy what cannot be read', () => {
  const cases: [string, (text: string) => string, RegExp, string | undefined][] = [
    ['truncated JSON', (t) => t.slice(0, t.length - 20), /cannot parse task file/, undefined],
    ['an empty file', () => '', /is empty/, undefined],
    ['a bad status', (t) => t.replace('"status": "Completed"', '"status": "Finished"'), /tasks\[2\]\.status/, 'tasks[2].status'],
    ['null blocked_by', (t) => t.replace(/"blocked_by": \[[^\]]*\]/, '"blocked_by": null'), /tasks\[6\]\.blocked_by/, 'tasks[6].blocked_by'],
    ['merge conflict markers', (t) => `<<<<<<< HEAD\n${t}\n=======\n${t}\n>>>>>>> other`, /merge conflict/, undefined],
  ];
  it.each(cases)('%s: Serialization error naming the file (and field), file untouched, writes refused', async (_label, corrupt, detail, fieldPath) => {
    const dir = tempDir();
    const file = installFixture(dir, 'rust-tree-deps');
    fs.writeFileSync(file, corrupt(fs.readFileSync(file, 'utf8')));
    const bytes = readBytes(file);
    const manager = new TaskManager(dir);
    const read = await caught(manager.listTasks('rust-tree-deps'));
    expect(read).toBeInstanceOf(TaskSerializationError);
    expect(read.message).toContain(file);
    expect(read.message).toMatch(detail);
    expect((read as TaskSerializationError).path).toBe(file);
    expect((read as TaskSerializationError).fieldPath).toBe(fieldPath);
    const write = await caught(manager.createTask('rust-tree-deps', 'new', ''));
    expect(write.kind).toBe('Serialization');
    await caught(manager.replaceTaskList('rust-tree-deps', new TaskList('rust-tree-deps')));
    expect(readBytes(file)).toEqual(bytes);
  });
});

describe('B6 safe session ids', () => {
  it.each(['a', 'A-z_0.9', '-x', '_', 'x'.repeat(128), 'session.v2'])('accepts %j', async (id) => {
    const { manager } = deterministicManager();
    await manager.createTask(id, 'T', '');
    expect(fs.existsSync(manager.sessionPath(id))).toBe(true);
  });

  it.each(['', '.hidden', '..', '../escape', 'a/b', 'a\\b', 'a b', 'x'.repeat(129), 'tab\t', 'ü', 'a\0b', '/abs'])(
    'refuses %j with InvalidInput before touching any file',
    async (id) => {
      const dir = tempDir();
      const manager = new TaskManager(dir);
      expect((await caught(manager.createTask(id, 'T', ''))).kind).toBe('InvalidInput');
      expect((await caught(manager.listTasks(id))).kind).toBe('InvalidInput');
      expect((await caught(() => manager.sessionPath(id))).kind).toBe('InvalidInput');
      expect(fs.readdirSync(dir)).toEqual([]);
    },
  );

  it('refuses non-strings', async () => {
    const { manager } = deterministicManager();
    for (const id of [null, undefined, 42, {}]) {
      expect((await caught(manager.listTasks(id as unknown as string))).kind).toBe('InvalidInput');
    }
  });
});

describe('B7 unknown keys and exact numbers survive a read-modify-write', () => {
  it('rust-edge-cases: 64-bit integers, 1.0 and 1e21 stay byte-exact after changing another task', async () => {
    const dir = tempDir();
    const file = installFixture(dir, 'rust-edge-cases');
    const manager = new TaskManager(dir, { newId: counterIds('new-') });
    await manager.updateTask('rust-edge-cases', 'db00bf00-74db-4e2b-a5d8-b165ab68fd5d', 'Renamed');
    await manager.createTask('rust-edge-cases', 'Added', '');
    const text = fs.readFileSync(file, 'utf8');
    for (const literal of [
      '"beyond_js_safe": 9007199254740993', '"i64_min": -9223372036854775808', '"u64_max": 18446744073709551615',
      '"float_one": 1.0', '"float_big": 1e21', '"float_small": 1.5e-7', '"float_tenth": 0.1',
    ]) {
      expect(text).toContain(literal);
    }
    expect(text).toContain('"Renamed"');
  });

  it('the numbers also survive a change to the task that holds them, and a copy handed out by the manager', async () => {
    const dir = tempDir();
    const file = installFixture(dir, 'rust-edge-cases');
    const manager = new TaskManager(dir);
    const id = 'a705edb5-176a-4c12-8c96-a2490f416b6c';
    await manager.updateTask('rust-edge-cases', id, null, 'new description');
    await manager.updateTaskStatus('rust-edge-cases', id, 'InProgress');
    const list = await manager.loadTaskList('rust-edge-cases');
    await manager.replaceTaskList('rust-edge-cases', list);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('"beyond_js_safe": 9007199254740993');
    expect(text).toContain('"u64_max": 18446744073709551615');
    expect(text).toContain('"float_one": 1.0');
  });

  it.each(['recordTaskResult', 'recordMemoryEvent', 'updateExecutionState'] as const)(
    'numbers at the top of a metadata object stay exact when %s adds its keys',
    async (operation) => {
      const dir = tempDir();
      const file = installFixture(dir, 'rust-edge-cases');
      const manager = new TaskManager(dir);
      const s = 'rust-edge-cases';
      const id = 'a705edb5-176a-4c12-8c96-a2490f416b6c';
      if (operation === 'recordTaskResult') await manager.recordTaskResult(s, id, true, 'out', 1, 2);
      if (operation === 'recordMemoryEvent') await manager.recordMemoryEvent(s, id, newMemoryEvent('handoff', 'x'));
      if (operation === 'updateExecutionState') await manager.updateExecutionState(s, id, () => undefined);
      const text = fs.readFileSync(file, 'utf8');
      for (const literal of ['"beyond_js_safe": 9007199254740993', '"i64_min": -9223372036854775808', '"u64_max": 18446744073709551615', '"float_one": 1.0', '"float_big": 1e21']) {
        expect(text).toContain(literal);
      }
    },
  );

  it('unknown keys inside the execution state, its profile and its evidence survive an update', async () => {
    const { manager } = deterministicManager();
    const t = await manager.createTask('s', 'T', '');
    await manager.updateTaskMetadata('s', t.id, {
      execution_state: {
        verification_profile: { requires_test: true, future_profile_key: 'p' },
        future_state_key: [1],
        evidence: [{ kind: 'test', summary: 'x', recorded_at: '2024-01-01T00:00:00Z', future_evidence_key: true }],
      },
    });
    await manager.updateExecutionState('s', t.id, (state) => {
      state.saw_blocker = true;
    });
    const written = JSON.parse(fs.readFileSync(manager.sessionPath('s'), 'utf8')) as { tasks: { metadata: { execution_state: Record<string, unknown> } }[] };
    const state = written.tasks[0]!.metadata.execution_state;
    expect(state.future_state_key).toEqual([1]);
    expect((state.verification_profile as Record<string, unknown>).future_profile_key).toBe('p');
    expect((state.evidence as Record<string, unknown>[])[0]!.future_evidence_key).toBe(true);
    expect(state.saw_blocker).toBe(true);
  });

  it('unknown keys at the list, task and nested levels survive', async () => {
    const dir = tempDir();
    const file = installFixture(dir, 'rust-empty');
    const data = {
      session_id: 'rust-empty',
      tasks: [{
        id: 't1', name: 'T', description: '', status: 'NotStarted', parent_id: null, sort_order: 0,
        created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', session_id: 'rust-empty', source: 'User',
        orchestrator_task_id: null, agent_id: null, metadata: null,
        background_job: { status: 'Running', future_job_key: [1, 2] },
        future_task_key: { big: 'BIG' },
      }],
      future_list_key: 'kept',
    };
    fs.writeFileSync(file, JSON.stringify(data, null, 2).replace('"big": "BIG"', '"big": 12345678901234567890'));
    expect(fs.readFileSync(file, 'utf8')).toContain('"big": 12345678901234567890');
    const manager = new TaskManager(dir);
    await manager.updateTask('rust-empty', 't1', 'T2');
    const text = fs.readFileSync(file, 'utf8');
    const back = JSON.parse(text) as Record<string, unknown> & { tasks: Record<string, unknown>[] };
    expect(back.future_list_key).toBe('kept');
    expect(back.tasks[0]!.background_job).toEqual({ status: 'Running', future_job_key: [1, 2] });
    expect(text).toMatch(/"future_task_key": \{\s+"big": 12345678901234567890\s+\}/);
    expect(back.tasks[0]!.name).toBe('T2');
  });
});

describe('B8 integrity on write', () => {
  it('a new task’s parent must exist in the session', async () => {
    const { manager } = deterministicManager();
    await expectTaskError(manager.createTask('s', 'T', '', 'ghost'), 'NotFound', 'Task not found: ghost');
    await expectTaskError(manager.createAgentTask('s', 'T', '', 'agent', 'ghost'), 'NotFound', 'Task not found: ghost');
    const other = await manager.createTask('other', 'P', '');
    await expectTaskError(manager.createTask('s', 'T', '', other.id), 'NotFound', `Task not found: ${other.id}`);
  });

  it('a task name must not be empty after trimming (create, agent, orchestrator, rename)', async () => {
    const { manager } = deterministicManager();
    const t = await manager.createTask('s', 'ok', '');
    for (const name of ['', '   ', '\n\t']) {
      expect((await caught(manager.createTask('s', name, ''))).kind).toBe('InvalidInput');
      expect((await caught(manager.createAgentTask('s', name, ''))).kind).toBe('InvalidInput');
      expect((await caught(manager.createOrchestratorTask('s', 'o', 'a', name, ''))).kind).toBe('InvalidInput');
      expect((await caught(manager.updateTask('s', t.id, name))).kind).toBe('InvalidInput');
    }
    expect((await manager.listTasks('s')).map((x) => x.name)).toEqual(['ok']);
  });

  it('metadata must be JSON: undefined, functions, NaN, Infinity, cycles, BigInt, class instances are refused', async () => {
    const { manager } = deterministicManager();
    const t = await manager.createTask('s', 'T', '');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    const bad: unknown[] = [undefined, () => 1, Number.NaN, Number.POSITIVE_INFINITY, cyclic, 10n, new Date(0), { nested: [1, { x: undefined }] }, sparse, new Map()];
    for (const value of bad) {
      const error = await caught(manager.updateTaskMetadata('s', t.id, value as never));
      expect(error.kind).toBe('InvalidInput');
      expect(error.message).toMatch(/^Invalid input: metadata is not JSON at metadata/);
      // For the orchestrator context, undefined means "no context"; everything else is refused.
      if (value !== undefined) {
        expect((await caught(manager.createOrchestratorTask('s', 'o', 'a', 'N', '', value as never))).kind).toBe('InvalidInput');
      }
    }
    expect((await manager.getTask('s', t.id))!.metadata).toBeNull();
    expect(await manager.listTasks('s')).toHaveLength(1);
  });

  it('deleting a task removes its id from other tasks’ blocked_by', async () => {
    const { manager } = deterministicManager();
    const blocker = await manager.createTask('s', 'Blocker', '');
    const other = await manager.createTask('s', 'Other', '');
    const waiting = await manager.createTask('s', 'Waiting', '');
    await manager.addTaskDependency('s', waiting.id, blocker.id);
    await manager.addTaskDependency('s', waiting.id, other.id);
    expect(await manager.isTaskBlocked('s', waiting.id)).toBe(true);
    await manager.deleteTask('s', blocker.id);
    expect((await manager.getTask('s', waiting.id))!.blocked_by).toEqual([other.id]);
    await manager.deleteTask('s', other.id);
    expect(await manager.isTaskBlocked('s', waiting.id)).toBe(false);
    expect(fs.readFileSync(manager.sessionPath('s'), 'utf8')).not.toContain('blocked_by');
  });

  it('loading a file is never checked for integrity: an orphan and a missing blocker load as they are', async () => {
    const dir = tempDir();
    installFixture(dir, 'rust-edge-cases');
    const orphan = await new TaskManager(dir).getTask('rust-edge-cases', 'c1f6bf50-1bd0-4a66-bf80-df3564b3202a');
    expect(orphan).toMatchObject({ parent_id: 'missing-parent-id', blocked_by: ['missing-dep-id', '582488d9-54bf-47f3-b95e-5802d5d64e3a'] });
  });
});

describe('B9 trees never lose tasks', () => {
  it('a file with a parent loop shows every task exactly once, the loop as a root', async () => {
    const dir = tempDir();
    const file = installFixture(dir, 'rust-empty');
    const mk = (id: string, parent: string | null) => ({
      id, name: id, description: '', status: 'NotStarted', parent_id: parent, sort_order: 0,
      created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', session_id: 'rust-empty', source: 'User',
      orchestrator_task_id: null, agent_id: null, metadata: null,
    });
    fs.writeFileSync(file, JSON.stringify({ session_id: 'rust-empty', tasks: [mk('r', null), mk('x', 'z'), mk('y', 'x'), mk('z', 'y'), mk('k', 'y'), mk('me', 'me')] }));
    const tree = await new TaskManager(dir).getTaskTree('rust-empty');
    const ids: string[] = [];
    const walk = (nodes: typeof tree): void => nodes.forEach((n) => { ids.push(n.task.id); walk(n.children); });
    walk(tree);
    expect(ids.slice().sort()).toEqual(['k', 'me', 'r', 'x', 'y', 'z']);
    expect(tree.map((n) => n.task.id)).toEqual(['r', 'x', 'me']);
    expect(await new TaskManager(dir).listDescendants('rust-empty', 'x')).toHaveLength(3);
  });
});

describe('B10 monotonic time', () => {
  it('system timestamps have at least microsecond digits and strictly increase', () => {
    const stamps = Array.from({ length: 2000 }, () => systemClock.now());
    for (const s of stamps) expect(s).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6,9}Z$/);
    const nanos = stamps.map((s) => BigInt(Date.parse(s.slice(0, 19) + 'Z')) * 1_000_000n + BigInt(s.slice(20, -1).padEnd(9, '0')));
    for (let i = 1; i < nanos.length; i++) expect(nanos[i]! > nanos[i - 1]!).toBe(true);
  });

  it('updated_at moves forward on every change even when the clock is stuck or the file is future-dated', async () => {
    const stuck = { now: () => '2025-01-01T00:00:00.000000000Z' };
    const manager = new TaskManager('unused', { store: new MemoryTaskStore(), clock: stuck });
    const t = await manager.createTask('s', 'T', '');
    let last = t.updated_at;
    for (const name of ['a', 'b', 'c']) {
      const next = (await manager.updateTask('s', t.id, name)).updated_at;
      expect(next > last).toBe(true);
      last = next;
    }
    const dir = tempDir();
    installFixture(dir, 'rust-edge-cases');
    const real = new TaskManager(dir);
    const nanos = await real.updateTask('rust-edge-cases', '9886cf03-24cd-4b69-ba3e-36d3d2c65172', 'x');
    expect(nanos.updated_at > '2024-02-29T23:59:59.999999999Z').toBe(true);
  });
});
