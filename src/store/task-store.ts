/**
 * The seam between the manager and persistence. A store keeps one task list per session, detects
 * changes cheaply, and serialises writers per session. The file store is the real one; the memory
 * store serves model-level tests; other back ends implement this interface.
 */
import type { HistoryEntry, HistoryRecord } from '../history.js';
import type { TaskList } from '../model/task-list.js';

/** A list as read from (or written to) a store, with the store's version of it. */
export interface StoredList {
  /** The list. Shared with the store's caller cache: never mutate it, clone it. */
  readonly list: TaskList;
  /** Opaque, store-specific version; stores compare it to detect change. */
  readonly version: unknown;
}

/** Persistence of per-session task lists. */
export interface TaskStore {
  /**
   * The session's stored list, or null when there is none. When `known` is still the stored
   * version, returns `known` itself without parsing (the file store checks with a stat).
   */
  read(sessionId: string, known: StoredList | null): Promise<StoredList | null>;
  /**
   * Runs `fn` while holding the session's exclusive write lock: across async callers, across
   * store instances and (for the file store) across processes.
   */
  withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Writes `list` as the session's list, all or nothing. Call only inside {@link withLock}.
   * `basis` is what {@link read} returned inside this lock (null: no list was stored): the store
   * writes only if the stored list is still that one, else it fails with a TaskIoError and writes
   * nothing (the file store checks this, and that it still holds its lock, right before replacing
   * the file).
   */
  write(sessionId: string, list: TaskList, basis: StoredList | null, history?: readonly HistoryRecord[]): Promise<StoredList>;
  /**
   * The session history, when this store keeps one (README "History"). A store that has it also
   * takes `history` in {@link write}: it stamps those records with the commit's sequence and keeps
   * them in the same commit, so the history and the list never disagree after a crash.
   */
  readonly history?: StoreHistory;
  /** Where the session is kept (a file path for the file store), for messages and tools. */
  locate(sessionId: string): string;
  /** The sessions that have a stored list, sorted. */
  listSessions(): Promise<string[]>;
}

/** The optional history capability of a {@link TaskStore}. */
export interface StoreHistory {
  /** The entries of commits that landed, oldest first. */
  read(sessionId: string): Promise<HistoryEntry[]>;
}
