/**
 * Batches and the cheap paths behind them (issue 4): one write per batch on the real file store,
 * all-or-nothing, a batch sees its own changes, reads of an unchanged file cost no parse and no
 * write, and copies made for transactions never leak changes into the cached list. Speed itself is
 * measured by `npm run bench`, never here.
 */
import { describe, expect, it } from 'vitest';
import { TaskList, TaskManager, steppingClock, type StoredList, type TaskStore } from '../src/index.js';
import { createTaskRecord } from '../src/model/records.js';
import type { TaskList as TaskListType } from '../src/model/task-list.js';
import { caught, cleanTempDirsAfterEach, counterIds } from './helpers/env.js';
import { managerOn, STORES, storedText, type StoreKind } from './helpers/stores.js';

cleanTempDirsAfterEach();

/** A store (of either kind) that counts writes and reads that had to parse (returned a new list). */
class CountingStore implements TaskStore {
  writes = 0;
  parses = 0;
  constructor(readonly inner: TaskStore) {}
  async write(sessionId: string, list: TaskListType, basis: StoredList | null): Promise<StoredList> {
    this.writes++;
    return this.inner.write(sessionId, list, basis);
  }
  async read(sessionId: string, known: StoredList | null): Promise<StoredList | null> {
    const result = await this.inner.read(sessionId, known);
    if (result !== null && result.list !== known?.list) this.parses++;
    return result;
  }
  withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return this.inner.withLock(sessionId, fn);
  }
  locate(sessionId: string): string {
    return this.inner.locate(sessionId);
  }
  listSessions(): Promise<string[]> {
    return this.inner.listSessions();
  }
}

function setup(kind: StoreKind): { manager: TaskManager; store: CountingStore } {
  const plain = managerOn(kind);
  const store = new CountingStore(plain.store);
  const manager = new TaskManager(plain.baseDir, { store, clock: steppingClock('2025-01-01T00:00:00Z', 1000n), newId: counterIds() });
  return { manager, store };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each(STORES)('batch on the %s store', (kind) => {
  it('many operations, one lock, one write; the batch sees its own changes', async () => {
    const { manager, store } = setup(kind);
    const seen = await manager.batch('s', (tx) => {
      const parent = tx.createTask('Parent', '');
      const kids = Array.from({ length: 50 }, (_, i) => tx.createTask(`Kid ${i}`, '', parent.id));
      tx.updateTaskStatus(kids[0]!.id, 'InProgress');
      tx.addTaskDependency(kids[1]!.id, kids[2]!.id);
      return {
        count: tx.listTasks().length,
        parentStatus: tx.getTask(parent.id)!.status,
        descendants: tx.listDescendants(parent.id).length,
        blocked: tx.isTaskBlocked(kids[1]!.id),
      };
    });
    expect(seen).toEqual({ count: 51, parentStatus: 'InProgress', descendants: 50, blocked: true });
    expect(store.writes).toBe(1);
    expect(await manager.listTasks('s')).toHaveLength(51);
  });

  it('a throwing callback writes nothing and keeps the file byte for byte', async () => {
    const { manager, store } = setup(kind);
    const first = await manager.createTask('s', 'Keep', '');
    const before = await storedText(manager, 's');
    const error = await caught(
      manager.batch('s', (tx) => {
        for (let i = 0; i < 10; i++) tx.createTask(`Lost ${i}`, '', first.id);
        tx.updateTask(first.id, 'Renamed');
        throw new Error('no');
      }),
    );
    expect(error.kind).toBe('InvalidInput');
    expect(store.writes).toBe(1);
    expect(await storedText(manager, 's')).toBe(before);
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['Keep']);
  });

  it('reads of an unchanged file neither parse nor write', async () => {
    const { manager, store } = setup(kind);
    const task = await manager.createTask('s', 'A', '');
    if (kind === 'file') await sleep(80); // past the racy window, so the stat alone is trusted
    await manager.getTask('s', task.id);
    const parses = store.parses;
    for (let i = 0; i < 20; i++) {
      expect((await manager.getTask('s', task.id))!.name).toBe('A');
      await manager.listTasks('s');
      await manager.getTaskTree('s');
      await manager.listDescendants('s', task.id);
    }
    expect(store.parses).toBe(parses);
    expect(store.writes).toBe(1);
  });

  it('returned tasks are copies: changing them changes nothing stored', async () => {
    const { manager } = setup(kind);
    const a = await manager.createTask('s', 'A', '');
    const got = (await manager.getTask('s', a.id))!;
    got.name = 'mutated';
    got.blocked_by.push('x');
    const tree = await manager.getTaskTree('s');
    tree[0]!.task.name = 'mutated too';
    const again = (await manager.getTask('s', a.id))!;
    expect(again.name).toBe('A');
    expect(again.blocked_by).toEqual([]);
  });
});

describe('TaskList.clone shares its indexes copy-on-write', () => {
  const clock = steppingClock('2025-01-01T00:00:00Z', 1000n);
  const make = (id: string, parentId: string | null = null) =>
    createTaskRecord({ sessionId: 's', name: id, description: '', parentId }, { clock, newId: () => id });

  it('tasks added to either side after a clone stay on that side', () => {
    const list = new TaskList('s');
    list.addTask(make('a'));
    list.subtasks('a'); // build the children index before cloning
    const copy = list.clone();
    copy.addTask(make('b', 'a'));
    list.addTask(make('c', 'a'));
    expect(list.hasTask('b')).toBe(false);
    expect(list.findTask('b')).toBeNull();
    expect(list.subtasks('a').map((t) => t.id)).toEqual(['c']);
    expect(copy.hasTask('c')).toBe(false);
    expect(copy.subtasks('a').map((t) => t.id)).toEqual(['b']);
    expect(copy.descendants('a').map((t) => t.id)).toEqual(['b']);
  });

  it('a rolled-back add in a clone leaves both lists intact', () => {
    const list = new TaskList('s');
    list.addTask(make('p'));
    const copy = list.clone();
    const mark = copy.savepoint();
    copy.addTask(make('q', 'p'));
    copy.rollback(mark);
    expect(copy.hasTask('q')).toBe(false);
    expect(list.hasTask('q')).toBe(false);
    copy.addTask(make('r', 'p'));
    expect(copy.subtasks('p').map((t) => t.id)).toEqual(['r']);
    expect(list.subtasks('p')).toEqual([]);
  });
});
