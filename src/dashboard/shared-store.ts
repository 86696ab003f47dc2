/**
 * A read-sharing view of a {@link TaskStore}: every reader of a session (its watcher, the page's
 * view, the session list) gets the same parsed list after a change, so a change to a large
 * session is parsed once, not once per reader. Unchanged sessions still cost one store check.
 * Lists are immutable once stored ("never mutate it"), which makes sharing them safe.
 */
import type { TaskList } from '../model/task-list.js';
import type { HistoryRecord } from '../history.js';
import type { StoredList, StoreChangeFeed, StoreHistory, TaskStore } from '../store/task-store.js';

export class SharedReadStore implements TaskStore {
  readonly #inner: TaskStore;
  readonly #last = new Map<string, StoredList | null>();
  readonly #reading = new Map<string, Promise<StoredList | null>>();
  /** The inner store's history, when it keeps one (README "History"). */
  readonly history?: StoreHistory;

  /** The inner store's change feed: the dashboard's watchers listen instead of polling where there is one. */
  readonly changes?: StoreChangeFeed;

  constructor(inner: TaskStore) {
    this.#inner = inner;
    if (inner.history !== undefined) this.history = inner.history;
    if (inner.changes !== undefined) this.changes = inner.changes;
  }

  /** The freshest stored list; concurrent reads of one session share one store read. */
  read(sessionId: string, _known: StoredList | null): Promise<StoredList | null> {
    let reading = this.#reading.get(sessionId);
    if (reading === undefined) {
      reading = this.#inner
        .read(sessionId, this.#last.get(sessionId) ?? null)
        .then((fresh) => {
          this.#last.set(sessionId, fresh);
          return fresh;
        })
        .finally(() => this.#reading.delete(sessionId));
      this.#reading.set(sessionId, reading);
    }
    return reading;
  }

  withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return this.#inner.withLock(sessionId, fn);
  }

  write(sessionId: string, list: TaskList, basis: StoredList | null, history?: readonly HistoryRecord[]): Promise<StoredList> {
    return this.#inner.write(sessionId, list, basis, history);
  }

  locate(sessionId: string): string {
    return this.#inner.locate(sessionId);
  }

  listSessions(): Promise<string[]> {
    return this.#inner.listSessions();
  }
}
