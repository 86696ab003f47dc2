/**
 * Reading sessions for the dashboard, with caches keyed on the store's own change detection: a
 * session that did not change costs one store check (a `stat` for the file store), and its summary
 * and view are computed once per change, whoever asks. A session holding leased claims is the
 * exception: a lease runs out without any write, and the lease left changes by the second, so its
 * ready queue and view are computed again at every read, judged at the time of that read.
 */
import type { TaskManager } from '../manager.js';
import { nowTimestamp } from '../app/claims.js';
import { readHistoryPage, type HistoryPage } from '../app/history.js';
import { readClaim } from '../model/claims.js';
import { TaskList } from '../model/task-list.js';
import { timestampToNanos } from '../schema/timestamp.js';
import type { StoredList } from '../store/task-store.js';
import { DETAILS_HISTORY_LIMIT, type SessionSummary, type TaskDetails } from './protocol.js';
import { compareSummaries, readyQueue, sessionSummary, sessionView, taskDetails } from './view-model.js';

interface Entry {
  stored: StoredList | null;
  list: TaskList;
  ready?: string[];
  readySet?: Set<string>;
  summary?: SessionSummary;
  viewJson?: string;
  /** True when some task carries a claim (computed once per stored list). */
  claimed?: boolean;
  /** The instant the ready queue, details and view of this entry are judged at. */
  now?: string;
}

/** Drops what depends on the clock when the list holds claims, so the next answer is judged now. O(n) once per list. */
function judgeNow(entry: Entry): Entry {
  entry.claimed ??= entry.list.tasks.some((task) => readClaim(task) !== null);
  if (entry.claimed || entry.now === undefined) entry.now = nowTimestamp();
  if (entry.claimed) {
    delete entry.ready;
    delete entry.readySet;
    delete entry.summary;
    delete entry.viewJson;
  }
  return entry;
}

/** The entry's ready queue, computed once per stored list. */
function ready(entry: Entry): string[] {
  entry.ready ??= readyQueue(entry.list, entry.now);
  return entry.ready;
}

/** Cached reads of every session of one manager. */
export class SessionReader {
  readonly #manager: TaskManager;
  readonly #entries = new Map<string, Entry>();
  readonly #reading = new Map<string, Promise<Entry>>();
  /** The sessions of the last listing (null: not listed yet). */
  #listed: Set<string> | null = null;

  constructor(manager: TaskManager) {
    this.#manager = manager;
  }

  /** Checks `sessionId` (InvalidInput when it is not a valid id). */
  validate(sessionId: string): void {
    this.#manager.sessionPath(sessionId);
  }

  /**
   * The details of task `taskId` of the session, or null when there is no such task; with its
   * newest history entries when the store keeps a history (read at every request: a stat, and
   * only the bytes added since the last read).
   */
  async details(sessionId: string, taskId: string): Promise<TaskDetails | null> {
    const entry = judgeNow(await this.#entry(sessionId));
    entry.readySet ??= new Set(ready(entry));
    if (entry.list.findTask(taskId) === null) return null;
    const history: HistoryPage | null =
      this.#manager.store.history === undefined ? null : await readHistoryPage(this.#manager, sessionId, { taskId, limit: DETAILS_HISTORY_LIMIT });
    return taskDetails(entry.list, taskId, entry.readySet, entry.now, history);
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
    const entry = judgeNow(await this.#entry(sessionId));
    entry.viewJson ??= JSON.stringify(sessionView(sessionId, this.#manager.sessionPath(sessionId), entry.list, ready(entry), entry.now));
    return entry.viewJson;
  }

  /**
   * Every session's summary, most recently changed first. A session that cannot be read says why.
   * `changed`: the sessions a change feed announced commits to since the last call; only those are
   * read again (the others' cached lists are still theirs), and the sessions are listed again only
   * when one of them is new. Without it, everything is listed and checked (a store check each).
   */
  async summaries(changed?: ReadonlySet<string>): Promise<SessionSummary[]> {
    const known = this.#listed;
    const relist = changed === undefined || known === null || [...changed].some((id) => !known.has(id));
    const ids = relist ? await this.#manager.listSessions() : [...known];
    this.#listed = new Set(ids);
    const out: SessionSummary[] = [];
    for (const id of ids) {
      try {
        const cached = changed === undefined || changed.has(id) ? undefined : this.#entries.get(id);
        const entry = judgeNow(cached ?? (await this.#entry(id)));
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

  /**
   * When the first lease still running in a listed session runs out (ms since the epoch), or null:
   * the session list changes then without any write (the task is ready again). O(tasks of the
   * sessions holding claims).
   */
  nextLeaseEnd(): number | null {
    const now = BigInt(Date.now()) * 1_000_000n;
    let first: bigint | null = null;
    for (const id of this.#listed ?? []) {
      const entry = this.#entries.get(id);
      if (entry === undefined || entry.claimed !== true) continue;
      for (const task of entry.list.tasks) {
        const claim = readClaim(task);
        const end = claim === null ? null : timestampToNanos(claim.expires_at);
        if (end !== null && end > now && (first === null || end < first)) first = end;
      }
    }
    return first === null ? null : Number(first / 1_000_000n) + 1;
  }
}
