/**
 * Reading sessions for the dashboard, with caches keyed on the store's own change detection: a
 * session that did not change costs one store check (a `stat` for the file store), and its summary
 * and view are computed once per change, whoever asks.
 */
import type { TaskManager } from '../manager.js';
import { TaskList } from '../model/task-list.js';
import type { StoredList } from '../store/task-store.js';
import type { SessionSummary, TaskDetails } from './protocol.js';
import { compareSummaries, readyQueue, sessionSummary, sessionView, taskDetails } from './view-model.js';

interface Entry {
  stored: StoredList | null;
  list: TaskList;
  ready?: string[];
  readySet?: Set<string>;
  summary?: SessionSummary;
  viewJson?: string;
}

/** The entry's ready queue, computed once per stored list. */
function ready(entry: Entry): string[] {
  entry.ready ??= readyQueue(entry.list);
  return entry.ready;
}

/** Cached reads of every session of one manager. */
export class SessionReader {
  readonly #manager: TaskManager;
  readonly #entries = new Map<string, Entry>();
  readonly #reading = new Map<string, Promise<Entry>>();

  constructor(manager: TaskManager) {
    this.#manager = manager;
  }

  /** Checks `sessionId` (InvalidInput when it is not a valid id). */
  validate(sessionId: string): void {
    this.#manager.sessionPath(sessionId);
  }

  /** The details of task `taskId` of the session, or null when there is no such task. */
  async details(sessionId: string, taskId: string): Promise<TaskDetails | null> {
    const entry = await this.#entry(sessionId);
    entry.readySet ??= new Set(ready(entry));
    return taskDetails(entry.list, taskId, entry.readySet);
  }

  /** The session's entry, re-read if it changed; concurrent callers share one read. */
  #entry(sessionId: string): Promise<Entry> {
    this.validate(sessionId);
    let reading = this.#reading.get(sessionId);
    if (reading === undefined) {
      reading = this.#refresh(sessionId).finally(() => this.#reading.delete(sessionId));
      this.#reading.set(sessionId, reading);
    }
    return reading;
  }

  async #refresh(sessionId: string): Promise<Entry> {
    const entry = this.#entries.get(sessionId);
    const stored = await this.#manager.store.read(sessionId, entry?.stored ?? null);
    if (entry !== undefined && stored === entry.stored) return entry;
    const fresh: Entry = { stored, list: stored?.list ?? new TaskList(sessionId) };
    this.#entries.set(sessionId, fresh);
    return fresh;
  }

  /** The session's view as JSON text (computed once per change). */
  async viewJson(sessionId: string): Promise<string> {
    const entry = await this.#entry(sessionId);
    entry.viewJson ??= JSON.stringify(sessionView(sessionId, this.#manager.sessionPath(sessionId), entry.list, ready(entry)));
    return entry.viewJson;
  }

  /** Every session's summary, most recently changed first. A session that cannot be read says why. */
  async summaries(): Promise<SessionSummary[]> {
    const ids = await this.#manager.listSessions();
    const out: SessionSummary[] = [];
    for (const id of ids) {
      try {
        const entry = await this.#entry(id);
        entry.summary ??= sessionSummary(id, entry.list, ready(entry));
        out.push(entry.summary);
      } catch (error) {
        out.push({
          id,
          total: 0,
          counts: { NotStarted: 0, Blocked: 0, InProgress: 0, Completed: 0, Cancelled: 0 },
          ready: 0,
          updatedAt: null,
          current: null,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const present = new Set(ids);
    for (const id of this.#entries.keys()) if (!present.has(id)) this.#entries.delete(id);
    return out.sort(compareSummaries);
  }
}
