/** A {@link TaskStore} in memory: for model-level tests and for callers that need no persistence. */
import { TaskIoError } from '../errors.js';
import { withKeyedMutex } from './keyed-mutex.js';
import type { TaskList } from '../model/task-list.js';
import type { StoredList, TaskStore } from './task-store.js';

let instances = 0;

/** Keeps each session's list in a Map; versions are write counters. */
export class MemoryTaskStore implements TaskStore {
  readonly #lists = new Map<string, StoredList>();
  readonly #id = `memory:${++instances}`;
  #writes = 0;

  async read(sessionId: string, known: StoredList | null): Promise<StoredList | null> {
    const stored = this.#lists.get(sessionId) ?? null;
    if (stored !== null && known !== null && known.version === stored.version) return known;
    return stored;
  }

  withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return withKeyedMutex(`${this.#id}/${sessionId}`, fn);
  }

  async write(sessionId: string, list: TaskList, basis: StoredList | null): Promise<StoredList> {
    const current = this.#lists.get(sessionId) ?? null;
    if ((current?.version ?? null) !== (basis?.version ?? null)) {
      throw new TaskIoError(`the list of '${sessionId}' changed during this commit; nothing was written`);
    }
    const stored: StoredList = { list, version: ++this.#writes };
    this.#lists.set(sessionId, stored);
    return stored;
  }

  locate(sessionId: string): string {
    return `${this.#id}/${sessionId}`;
  }

  async listSessions(): Promise<string[]> {
    return [...this.#lists.keys()].sort();
  }
}
