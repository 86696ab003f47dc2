/**
 * The session history (README "History"): what each commit changed, read newest first, stamped
 * with the commit sequence the session file carries; entries of commits that never landed are
 * ignored and trimmed; retention keeps the newest.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError, TaskIoError, TaskManager, newExecutionEvidence, recordEvidence } from '../src/index.js';
import { HISTORY_SEQ_KEY, queryHistory, retainHistory, type HistoryEntry } from '../src/history.js';
import { MemoryTaskStore } from '../src/store/memory-store.js';
import { historyFileOf } from '../src/store/history-file.js';
import type { PostgresTaskStore } from '../src/store/postgres/index.js';
import { postgresStore, queryTest } from './helpers/postgres.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-history-'));
  dirs.push(d);
  return d;
}

const kinds = (entries: readonly HistoryEntry[]): string[] => entries.map((e) => `${e.operation}:${e.change.type}`);

async function story(manager: TaskManager): Promise<{ a: string; b: string }> {
  const a = await manager.createTask('s', 'A', 'first');
  const b = await manager.createTask('s', 'B', 'second');
  await manager.updateTask('s', a.id, 'A2');
  await manager.addTaskDependency('s', b.id, a.id);
  await manager.updateTaskStatus('s', a.id, 'InProgress');
  await manager.deleteTask('s', b.id);
  return { a: a.id, b: b.id };
}

for (const kind of ['memory', 'file', 'postgres'] as const) {
  describe(`history on the ${kind} store`, () => {
    const make = (options: { maxEntries?: number } = {}): TaskManager => {
      const dir = tempDir();
      if (kind === 'postgres') return new TaskManager(dir, { store: postgresStore({ history: options }) });
      return kind === 'memory'
        ? new TaskManager(dir, { store: new MemoryTaskStore({ history: options }) })
        : new TaskManager(dir, { history: options });
    };

    it('records every change of every commit, newest first, with operation and task', async () => {
      const manager = make();
      const { a, b } = await story(manager);
      const all = await manager.history('s');
      expect(kinds(all)).toEqual([
        'deleteTask:deleted',
        'updateTaskStatus:status_changed',
        'addTaskDependency:dependency_added',
        'updateTask:renamed',
        'createTask:created',
        'createTask:created',
      ]);
      expect(all[1]).toMatchObject({ task_id: a, actor: null, change: { type: 'status_changed', from: 'NotStarted', to: 'InProgress' } });
      expect(all[2]).toMatchObject({ task_id: b, change: { type: 'dependency_added', blocker_id: a } });
      expect(all[3]?.change).toEqual({ type: 'renamed', from: 'A', to: 'A2' });
      expect(all.map((e) => e.seq)).toEqual([6, 5, 4, 3, 2, 1]);
      expect(kinds(await manager.history('s', { taskId: a }))).toEqual(['updateTaskStatus:status_changed', 'updateTask:renamed', 'createTask:created']);
      expect(await manager.history('s', { limit: 2 })).toEqual(all.slice(0, 2));
      expect(await manager.history('s', { since: '2999-01-01T00:00:00Z' })).toEqual([]);
      expect(await manager.history('s', { since: (all.at(-1) as HistoryEntry).time })).toHaveLength(6);
    });

    it('records claims taken, renewed, released and expired with the claim agent as actor', async () => {
      let now = Date.parse('2030-01-01T00:00:00Z');
      const dir = tempDir();
      const clock = { now: () => new Date(now).toISOString() };
      const manager =
        kind === 'postgres'
          ? new TaskManager(dir, { store: postgresStore({ history: true }), clock })
          : kind === 'memory'
            ? new TaskManager(dir, { store: new MemoryTaskStore({ history: true }), clock })
            : new TaskManager(dir, { history: true, clock });
      const t = await manager.createTask('s', 'T', '');
      const claimed = await manager.claimTask('s', t.id, 'agent-1', { leaseMs: 1000 });
      const token = (claimed.metadata as { claim: { token: number } }).claim.token;
      await manager.renewClaim('s', t.id, token, 5000);
      await manager.releaseClaim('s', t.id, token);
      await manager.claimNextTask('s', 'agent-2', { leaseMs: 1000 });
      now += 10_000;
      await manager.claimNextTask('s', 'agent-3', { leaseMs: 1000 });
      const claims = (await manager.history('s', { taskId: t.id })).filter((e) => e.change.type.startsWith('claim_')).reverse();
      expect(claims.map((e) => [e.change.type, e.actor, e.operation])).toEqual([
        ['claim_taken', 'agent-1', 'claimTask'],
        ['claim_renewed', 'agent-1', 'renewClaim'],
        ['claim_released', 'agent-1', 'releaseClaim'],
        ['claim_taken', 'agent-2', 'claimNextTask'],
        ['claim_expired', 'agent-2', 'claimNextTask'],
        ['claim_taken', 'agent-3', 'claimNextTask'],
      ]);
    });

    it('records evidence recorded on a task', async () => {
      const manager = make();
      const t = await manager.createTask('s', 'T', '');
      await manager.updateExecutionState('s', t.id, (st) => {
        recordEvidence(st, newExecutionEvidence('build', 'tsc ok', 'shell', 'npm run build'));
      });
      await manager.updateExecutionState('s', t.id, (st) => {
        recordEvidence(st, newExecutionEvidence('test', 'vitest failed', 'shell', 'npx vitest', false));
      });
      expect((await manager.history('s')).slice(0, 2).map((e) => e.change)).toEqual([
        { type: 'evidence_recorded', kind: 'test', summary: 'vitest failed', success: false },
        { type: 'evidence_recorded', kind: 'build', summary: 'tsc ok', success: true },
      ]);
    });

    it('names a batch commit "batch" and records each change in it', async () => {
      const manager = make();
      await manager.batch('s', (tx) => {
        const x = tx.createTask('X', '');
        tx.updateTaskStatus(x.id, 'Completed');
      });
      expect(kinds(await manager.history('s'))).toEqual(['batch:created']);
    });

    it('keeps the newest entries within the retention', async () => {
      const manager = make({ maxEntries: 5 });
      for (let i = 0; i < 60; i++) await manager.createTask('s', `t${i}`, '');
      const kept = await manager.history('s');
      expect(kept.map((e) => (e.change as { name: string }).name)).toEqual(['t59', 't58', 't57', 't56', 't55']);
      if (kind === 'file') {
        const lines = fs.readFileSync(historyFileOf(manager.sessionPath('s')), 'utf8').trim().split('\n');
        expect(lines.length).toBeLessThanOrEqual(5 + 16);
      }
      if (kind === 'postgres') {
        const schema = (manager.store as PostgresTaskStore).schema;
        const rows = await queryTest<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".history`);
        expect(Number(rows[0]?.n)).toBeLessThanOrEqual(5 + 16);
      }
    });

    it('validates its arguments with typed errors', async () => {
      const manager = make();
      await manager.createTask('s', 'A', '');
      await expect(manager.history('s', { limit: 0 })).rejects.toThrow(InvalidInputError);
      await expect(manager.history('s', { limit: 1.5 })).rejects.toThrow(/limit/);
      await expect(manager.history('s', { since: 'yesterday' })).rejects.toThrow(/since/);
      await expect(manager.history('s', { taskId: '' })).rejects.toThrow(/taskId/);
      await expect(manager.history('../x')).rejects.toThrow(InvalidInputError);
      await expect(manager.history('s', 'x' as never)).rejects.toThrow(InvalidInputError);
    });
  });
}

describe('history rules', () => {
  it('names the manager actor on its entries and refuses an empty one', async () => {
    const dir = tempDir();
    const cli = new TaskManager(dir, { history: true, actor: 'cli' });
    const t = await cli.createTask('s', 'A', '');
    await cli.claimTask('s', t.id, 'agent-1', { leaseMs: 60_000 });
    const agentManager = new TaskManager(dir, { history: true });
    await agentManager.updateTaskStatus('s', t.id, 'Completed');
    expect((await cli.history('s')).map((e) => [e.change.type, e.actor])).toEqual([
      ['status_changed', 'agent-1'],
      ['status_changed', 'cli'],
      ['claim_taken', 'cli'],
      ['created', 'cli'],
    ]);
    expect(() => new TaskManager(dir, { actor: '' })).toThrow(InvalidInputError);
  });

  it('a store without history says so with InvalidInput', async () => {
    const manager = new TaskManager(tempDir());
    await manager.createTask('s', 'A', '');
    await expect(manager.history('s')).rejects.toThrow(/keeps no history/);
    expect(fs.readFileSync(manager.sessionPath('s'), 'utf8')).not.toContain(HISTORY_SEQ_KEY);
  });

  it('retention by age drops old entries but never those of the newest commit', () => {
    const e = (seq: number, time: string): HistoryEntry => ({ seq, time, operation: 'x', task_id: 't', actor: null, change: { type: 'created', name: 'n' } });
    const entries = [e(1, '2020-01-01T00:00:00Z'), e(2, '2020-01-02T00:00:00Z'), e(2, '2020-01-02T00:00:00Z')];
    expect(retainHistory(entries, { maxAgeMs: 1000 }, Date.parse('2030-01-01T00:00:00Z')).map((x) => x.seq)).toEqual([2, 2]);
    expect(retainHistory(entries, { maxEntries: 1 }, 0)).toHaveLength(1);
    expect(queryHistory(entries, { limit: 1 })).toEqual([entries[2]]);
  });
});

describe('history file and session file agree after a crash', () => {
  it('ignores entries of a commit that never landed and trims them on the next commit', async () => {
    const manager = new TaskManager(tempDir(), { history: true });
    const a = await manager.createTask('s', 'A', '');
    const file = manager.sessionPath('s');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))[HISTORY_SEQ_KEY]).toBe(1);
    // A crash between the history append and the session rename: an entry with sequence 2.
    const orphan = { seq: 2, time: '2030-01-01T00:00:00Z', operation: 'deleteTask', task_id: a.id, actor: null, change: { type: 'deleted', name: 'ORPHAN' } };
    fs.appendFileSync(historyFileOf(file), `${JSON.stringify(orphan)}\n`);
    expect(kinds(await manager.history('s'))).toEqual(['createTask:created']);
    await manager.updateTaskStatus('s', a.id, 'Completed');
    const all = await manager.history('s');
    expect(kinds(all)).toEqual(['updateTaskStatus:status_changed', 'createTask:created']);
    expect(all[0]?.seq).toBe(2);
    expect(fs.readFileSync(historyFileOf(file), 'utf8')).not.toContain('ORPHAN');
  });

  it('ignores a line a crash cut short and repairs the file on the next commit', async () => {
    const manager = new TaskManager(tempDir(), { history: true });
    await manager.createTask('s', 'A', '');
    const historyFile = historyFileOf(manager.sessionPath('s'));
    fs.appendFileSync(historyFile, '{"seq":2,"time":"20');
    expect(await manager.history('s')).toHaveLength(1);
    await manager.createTask('s', 'B', '');
    expect(kinds(await manager.history('s'))).toEqual(['createTask:created', 'createTask:created']);
    for (const line of fs.readFileSync(historyFile, 'utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('orphans of a first commit that never landed are not shown once the session exists', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { history: true });
    const file = manager.sessionPath('s');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(historyFileOf(file), `${JSON.stringify({ seq: 1, time: '2030-01-01T00:00:00Z', operation: 'createTask', task_id: 'x', actor: null, change: { type: 'created', name: 'ORPHAN' } })}\n`);
    expect(await manager.history('s')).toEqual([]);
    await manager.createTask('s', 'A', '');
    expect((await manager.history('s')).map((e) => (e.change as { name: string }).name)).toEqual(['A']);
  });

  it('after a rewrite that dropped the sequence key (the Rust original) the history goes on', async () => {
    const manager = new TaskManager(tempDir(), { history: true });
    await manager.createTask('s', 'A', '');
    await manager.createTask('s', 'B', '');
    const file = manager.sessionPath('s');
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete data[HISTORY_SEQ_KEY];
    fs.writeFileSync(file, JSON.stringify(data, null, 2));
    expect(await manager.history('s')).toHaveLength(2);
    await manager.createTask('s', 'C', '');
    const all = await manager.history('s');
    expect(all.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))[HISTORY_SEQ_KEY]).toBe(3);
  });

  it('refuses a history file that is a symbolic link and writes nothing', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { history: true });
    await manager.createTask('s', 'A', '');
    const file = manager.sessionPath('s');
    const before = fs.readFileSync(file, 'utf8');
    const target = path.join(dir, 'elsewhere.jsonl');
    fs.writeFileSync(target, '');
    fs.rmSync(historyFileOf(file));
    fs.symlinkSync(target, historyFileOf(file));
    await expect(manager.createTask('s', 'B', '')).rejects.toThrow(TaskIoError);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readFileSync(target, 'utf8')).toBe('');
  });
});
