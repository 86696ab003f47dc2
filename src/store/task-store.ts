/**
 * The seam between the manager and persistence. A store keeps one task list per session, detects
 * changes cheaply, and serialises writers per session. The file store is the real one; the memory
 * store serves model-level tests; other back ends implement this interface.
 */
import type { TaskError } from '../errors.js';
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
  /**
   * The store's live change feed, when it has one (the PostgreSQL store: LISTEN/NOTIFY). Watchers
   * and manager listeners use it instead of polling (docs/architecture.md, "Change feed").
   */
  readonly changes?: StoreChangeFeed;
  /** Where the session is kept (a file path for the file store), for messages and tools. */
  locate(sessionId: string): string;
  /** The sessions that have a stored list, sorted. */
  listSessions(): Promise<string[]>;
}

/** The optional history capability of a {@link TaskStore}. */
export interface StoreHistory {
  /** The entries of commits that landed, oldest first. */
  read(sessionId: string): Promise<HistoryEntry[]>;
  /**
   * Writes `list` as the session's list and `entries` (oldest first, as {@link read} gives them)
   * as its whole history, replacing what the session had: what `copy` does to move a session with
   * its history. Like {@link TaskStore.write}: only inside {@link TaskStore.withLock}, with `basis`
   * what `read` returned there. Unlike it, nothing is stamped: the list keeps its own `history_seq`
   * and each entry its own sequence, so a copy and its original agree entry for entry. Entries
   * beyond the list's sequence are left out (they never landed) and the store's retention applies.
   * A crash never leaves entries that belong to another list: the old list with its history, the
   * new one with the new history, or (the file store, overwriting) the new list with no history
   * yet. InvalidInput for malformed entries (nothing written).
   */
  importSession?(sessionId: string, list: TaskList, basis: StoredList | null, entries: readonly HistoryEntry[]): Promise<StoredList>;
}

/** What a {@link StoreChangeFeed} subscriber is told. Handlers must not throw (what they throw is ignored). */
export interface ChangeFeedHandlers {
  /** A commit to `sessionId` landed (by anyone, this process included). Read it to learn what changed. */
  onChange(sessionId: string): void;
  /**
   * The feed was lost and is back: notifications may have been missed in between, so re-read
   * everything watched and report the net change.
   */
  onResync(): void;
  /** The feed failed (e.g. its connection dropped); it retries on its own and calls onResync once back. */
  onError(error: TaskError): void;
}

/** The optional live change feed of a {@link TaskStore}. */
export interface StoreChangeFeed {
  /**
   * Calls `handlers` for every commit to `sessionId` (null: to every session of the store) that
   * lands from now on. Resolves once listening, with the function that ends the subscription (while
   * the feed is recovering from a lost connection it resolves at once, and `onResync` follows when
   * the feed is back). Rejects with a TaskIoError when it cannot listen at all.
   */
  subscribe(sessionId: string | null, handlers: ChangeFeedHandlers): Promise<() => Promise<void>>;
}
