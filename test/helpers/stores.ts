/**
 * One test body, two stores: the behaviour suites run against the file store and the PostgreSQL
 * store alike (`describe.each(STORES)`), through managers made here.
 */
import fs from 'node:fs';
import { MemoryTaskStore, steppingClock, TaskManager, type TaskManagerOptions } from '../../src/index.js';
import type { HistoryRetention } from '../../src/history.js';
import type { TaskList } from '../../src/model/task-list.js';
import { decodeTaskList, encodeTaskList } from '../../src/store/codec.js';
import { FileTaskStore } from '../../src/store/file-store.js';
import type { TaskStore } from '../../src/store/task-store.js';
import { PostgresTaskStore } from '../../src/store/postgres/index.js';
import { counterIds, tempDir } from './env.js';
import { postgresStore } from './postgres.js';

/** The stores behaviour suites run on. */
export type StoreKind = 'memory' | 'file' | 'postgres';
/** The persistent stores: suites about what is stored run on both. */
export const STORES: readonly StoreKind[] = ['file', 'postgres'];
/** For suites of model rules that ran on the memory store: that, and the PostgreSQL store. */
export const MODEL_STORES: readonly StoreKind[] = ['memory', 'postgres'];

/** Options of {@link managerOn}: the manager's, plus the store's history setting. */
export type StoreManagerOptions = Omit<TaskManagerOptions, 'store'> & { readonly history?: boolean | HistoryRetention };

/**
 * A manager on a fresh store of `kind` (a temporary directory, or a fresh schema), with a stepping
 * clock (1 µs steps) and counter ids unless `options` say otherwise.
 */
export function managerOn(kind: StoreKind, options: StoreManagerOptions = {}): TaskManager {
  const dir = tempDir();
  const defaults = { clock: steppingClock('2025-01-01T00:00:00Z', 1000n), newId: counterIds() };
  if (kind === 'file') return new TaskManager(dir, { ...defaults, ...options });
  const { history, ...rest } = options;
  const store = kind === 'memory' ? new MemoryTaskStore({ history }) : postgresStore({ history });
  return new TaskManager(dir, { ...defaults, ...rest, store });
}

/** The store behind `manager`, seen through a test wrapper that keeps it as `inner`. */
export function storeOf(manager: TaskManager): TaskStore {
  const inner = (manager.store as { inner?: TaskStore }).inner;
  return inner ?? manager.store;
}

/** A second store on the same place as `manager`'s (as another process would open it). */
export function sameStore(manager: TaskManager, options: { history?: boolean | HistoryRetention } = {}): TaskStore {
  const store = storeOf(manager);
  if (store instanceof PostgresTaskStore) return postgresStore({ schema: store.schema, history: options.history });
  if (store instanceof MemoryTaskStore) return store; // one process: the same store
  return new FileTaskStore(manager.baseDir, { history: options.history });
}

/** A second manager on the same store place as `manager` (default clock and ids). */
export function reopen(manager: TaskManager, options: StoreManagerOptions = {}): TaskManager {
  const { history, ...rest } = options;
  return new TaskManager(manager.baseDir, { ...rest, store: sameStore(manager, { history }) });
}

/**
 * The session's bytes as the file store has (or would write) them: the file itself, or, for the
 * PostgreSQL store, the stored list printed exactly as the file store prints it.
 */
export async function storedText(manager: TaskManager, sessionId: string): Promise<string> {
  if (storeOf(manager) instanceof PostgresTaskStore) {
    // Read by a store of its own, as another process would: nothing cached.
    const stored = await sameStore(manager).read(sessionId, null);
    if (stored === null) throw new Error(`no stored list for ${sessionId}`);
    return encodeTaskList(stored.list);
  }
  return fs.readFileSync(manager.sessionPath(sessionId), 'utf8');
}

/** Stores `list` as its session's list in `store` (one commit, over whatever is there). */
export async function writeList(store: TaskStore, list: TaskList): Promise<void> {
  await store.withLock(list.sessionId, async () => {
    const basis = await store.read(list.sessionId, null);
    await store.write(list.sessionId, list, basis);
  });
}

/**
 * Makes `text` (a session file's content) the stored list of `sessionId`: the file itself, or, for
 * the PostgreSQL store, the list it holds copied in.
 */
export async function plantText(manager: TaskManager, sessionId: string, text: string): Promise<void> {
  const store = storeOf(manager);
  if (store instanceof FileTaskStore) fs.writeFileSync(manager.sessionPath(sessionId), text);
  else await writeList(store, decodeTaskList(text, 'planted text'));
}
