/** A {@link TaskStore} in memory: for model-level tests and for callers that need no persistence. */
import { TaskIoError } from '../errors.js';
import { withKeyedMutex } from './keyed-mutex.js';
import type { TaskList } from '../model/task-list.js';
import { HISTORY_SEQ_KEY, importedHistory, nextSequence, requireRetention, retainHistory, sequenceOf, stampHistory, type HistoryEntry, type HistoryRecord, type HistoryRetention } from '../history.js';
import type { StoredList, StoreHistory, TaskStore } from './task-store.js';

/** Options of a {@link MemoryTaskStore}. */
export interface MemoryTaskStoreOptions {
  /** Keep a session history (README "History"), with this retention when an object. Default off. */
  readonly history?: boolean | HistoryRetention;
}

let instances = 0;

/** Keeps each session's list in a Map; versions are write counters. */
export class MemoryTaskStore implements TaskStore {
  readonly #lists = new Map<string, StoredList>();
  readonly #id = `memory:${++instances}`;
  #writes = 0;
  readonly #history = new Map<string, HistoryEntry[]>();
  readonly #retention: HistoryRetention | null;
  readonly history?: StoreHistory;

  constructor(options: MemoryTaskStoreOptions = {}) {
    this.#retention = options.history === undefined || options.history === false ? null : requireRetention(options.history);
    if (this.#retention !== null) {
      this.history = {
        read: async (sessionId) => this.#landed(sessionId),
        importSession: async (sessionId, list, basis, entries) => this.#import(sessionId, list, basis, entries),
      };
    }
  }

  /** Entries of commits that landed (all of them: a memory commit cannot half-happen). */
  #landed(sessionId: string): HistoryEntry[] {
    const entries = this.#history.get(sessionId) ?? [];
    const seq = sequenceOf(this.#lists.get(sessionId)?.list.extraValue(HISTORY_SEQ_KEY));
    return seq === null ? entries.slice() : entries.filter((e) => e.seq <= seq);
  }

  /** The list and its whole history in one step (StoreHistory.importSession). */
  #import(sessionId: string, list: TaskList, basis: StoredList | null, entries: readonly HistoryEntry[]): StoredList {
    const kept = importedHistory(entries, sequenceOf(list.extraValue(HISTORY_SEQ_KEY)), this.#retention as HistoryRetention, Date.now());
    this.#check(sessionId, basis);
    this.#history.set(sessionId, kept);
    const stored: StoredList = { list, version: ++this.#writes };
    this.#lists.set(sessionId, stored);
    return stored;
  }

  #check(sessionId: string, basis: StoredList | null): void {
    const current = this.#lists.get(sessionId) ?? null;
    if ((current?.version ?? null) !== (basis?.version ?? null)) {
      throw new TaskIoError(`the list of '${sessionId}' changed during this commit; nothing was written`);
    }
  }

  async read(sessionId: string, known: StoredList | null): Promise<StoredList | null> {
    const stored = this.#lists.get(sessionId) ?? null;
    if (stored !== null && known !== null && known.version === stored.version) return known;
    return stored;
  }

  withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return withKeyedMutex(`${this.#id}/${sessionId}`, fn);
  }

  async write(sessionId: string, list: TaskList, basis: StoredList | null, history?: readonly HistoryRecord[]): Promise<StoredList> {
    this.#check(sessionId, basis);
    if (this.#retention !== null && history !== undefined) {
      const kept = this.#landed(sessionId);
      const seq = nextSequence(sequenceOf(basis?.list.extraValue(HISTORY_SEQ_KEY)), kept.at(-1)?.seq ?? null);
      list.setExtra(HISTORY_SEQ_KEY, seq);
      const all = kept.filter((e) => e.seq < seq).concat(stampHistory(history, seq));
      this.#history.set(sessionId, retainHistory(all, this.#retention, Date.now()));
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
