/**
 * Other writers' commits for `manager.on('change')`, on a store with a live change feed (the
 * PostgreSQL store). While the manager has listeners it subscribes to every session of the store;
 * each announced commit it did not make itself is read and compared with what the manager last saw
 * of that session (read, wrote or reported), and the difference is delivered as ordinary change
 * events — the same rules as {@link watchSession}: net effect, tasks compared on content.
 *
 * A session the manager never saw has no "before": its first announced commit is reported as one
 * `list_replaced` event (taskCount: its tasks now), and later ones task by task. After the feed was
 * lost and is back, every session seen is re-read and its net change reported; the commits of a
 * session never seen that landed during the outage are not reported.
 *
 * Ordering with the manager's own commits: while one of its commits to a session is in progress
 * (from taking the lock to its write), what a background read of that session brings is set aside
 * (it may show the state before or after the commit: responses on two connections can arrive in
 * either order) and the read is made again once the commit is over. Right after its write the
 * manager calls {@link RemoteChanges.ownCommit}, which reports first what others committed between
 * the last state seen and the commit's basis, then records the commit's result as seen; its own
 * changes are reported exactly, from the transaction. A background read that started before and
 * finishes after finds the seen state moved and reads again from there. So nothing is reported
 * twice or backwards.
 */
import { diffTaskLists, sameTaskContent, type TaskChangeEvent } from './events.js';
import { TaskList } from './model/task-list.js';
import type { StoreChangeFeed, StoredList, TaskStore } from './store/task-store.js';

/** First delay before retrying a failed subscription (doubled per failure, up to {@link MAX_RETRY_MS}) or read. */
const RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/**
 * Retries of a failed read of an announced session. A lost connection needs none (the feed
 * resynchronises once back); this covers a read failing while the feed stays up.
 */
const READ_RETRIES = 3;

/** True when `a` and `b` are the same stored state of a session. */
function sameState(a: StoredList | null, b: StoredList | null): boolean {
  return a === b || (a !== null && b !== null && a.version === b.version);
}

/** What other writers commit, turned into change events for one manager's listeners. */
export class RemoteChanges {
  readonly #store: TaskStore;
  readonly #feed: StoreChangeFeed;
  readonly #emit: (events: readonly TaskChangeEvent[]) => void;
  /** The last state of each session this manager saw (read, wrote or reported). */
  readonly #seen = new Map<string, StoredList | null>();
  /** Sessions being read after an announcement, and those announced again meanwhile. */
  readonly #reading = new Set<string>();
  readonly #again = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #readFailures = new Map<string, number>();
  /** Sessions with a commit of this manager in progress (count), and reads set aside meanwhile. */
  readonly #committing = new Map<string, number>();
  readonly #deferred = new Set<string>();
  #subscription: Promise<(() => Promise<void>) | null> | null = null;
  #subscribeFailures = 0;
  #active = false;

  constructor(store: TaskStore, feed: StoreChangeFeed, emit: (events: readonly TaskChangeEvent[]) => void) {
    this.#store = store;
    this.#feed = feed;
    this.#emit = emit;
  }

  /** Starts listening (the manager got its first listener). Listening begins shortly after. */
  start(): void {
    if (this.#active) return;
    this.#active = true;
    this.#subscribe();
  }

  /** Stops listening and forgets what was seen (the manager's last listener left). */
  async stop(): Promise<void> {
    if (!this.#active) return;
    this.#active = false;
    this.#seen.clear();
    this.#again.clear();
    this.#deferred.clear();
    this.#readFailures.clear();
    this.#subscribeFailures = 0;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const subscription = this.#subscription;
    this.#subscription = null;
    const unsubscribe = await subscription;
    await unsubscribe?.().catch(() => undefined);
  }

  /** The manager read `stored`: the first sight of a session is its baseline. O(1). */
  noteRead(sessionId: string, stored: StoredList | null): void {
    if (this.#active && !this.#seen.has(sessionId) && !this.#committing.has(sessionId)) this.#seen.set(sessionId, stored);
  }

  /** A commit of this manager to `sessionId` took the lock. Call {@link commitEnded} after it, always. */
  commitStarted(sessionId: string): void {
    this.#committing.set(sessionId, (this.#committing.get(sessionId) ?? 0) + 1);
  }

  /** The commit is over (landed or not): reads set aside during it are made again. */
  commitEnded(sessionId: string): void {
    const left = (this.#committing.get(sessionId) ?? 1) - 1;
    if (left > 0) {
      this.#committing.set(sessionId, left);
      return;
    }
    this.#committing.delete(sessionId);
    if (this.#deferred.delete(sessionId)) this.#announced(sessionId);
  }

  /**
   * The manager's commit wrote `saved` on `basis` (between {@link commitStarted} and
   * {@link commitEnded}). Returns the events of other writers' commits between the last state seen
   * and `basis`, to deliver before the commit's own. O(tasks) when there were such commits.
   */
  ownCommit(sessionId: string, basis: StoredList | null, saved: StoredList): TaskChangeEvent[] {
    if (!this.#active) return [];
    const had = this.#seen.has(sessionId);
    const last = this.#seen.get(sessionId) ?? null;
    this.#seen.set(sessionId, saved);
    if (!had || sameState(last, basis)) return [];
    const empty = new TaskList(sessionId);
    return diffTaskLists(sessionId, last?.list ?? empty, basis?.list ?? empty, false, sameTaskContent);
  }

  #subscribe(): void {
    const subscription = this.#feed
      .subscribe(null, {
        onChange: (sessionId) => this.#announced(sessionId),
        onResync: () => {
          this.#readFailures.clear();
          for (const sessionId of this.#seen.keys()) this.#announced(sessionId);
        },
        // The feed reconnects on its own; a manager has no error channel for it (watchSession has).
        onError: () => undefined,
      })
      .then((unsubscribe) => {
        this.#subscribeFailures = 0;
        return unsubscribe;
      })
      .catch(() => {
        // Cannot listen now (e.g. the server is down): try again, less and less often, while someone listens.
        if (this.#subscription === subscription) {
          this.#later(() => this.#subscribe(), Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** Math.min(this.#subscribeFailures++, 10)));
        }
        return null;
      });
    this.#subscription = subscription;
  }

  #later(fn: () => void, delay = RETRY_MS): void {
    if (!this.#active) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#active) fn();
    }, delay);
    timer.unref();
    this.#timers.add(timer);
  }

  /** A commit to `sessionId` was announced: one read at a time per session; announcements during it make one more. */
  #announced(sessionId: string): void {
    if (!this.#active) return;
    if (this.#reading.has(sessionId)) {
      this.#again.add(sessionId);
      return;
    }
    this.#reading.add(sessionId);
    void this.#catchUp(sessionId).finally(() => {
      this.#reading.delete(sessionId);
      if (this.#again.delete(sessionId)) this.#announced(sessionId);
    });
  }

  /** Reads the session and reports its change since the state last seen. */
  async #catchUp(sessionId: string): Promise<void> {
    for (;;) {
      const had = this.#seen.has(sessionId);
      const base = this.#seen.get(sessionId) ?? null;
      let next: StoredList | null;
      try {
        next = await this.#store.read(sessionId, base);
      } catch {
        const failures = (this.#readFailures.get(sessionId) ?? 0) + 1;
        this.#readFailures.set(sessionId, failures);
        if (failures <= READ_RETRIES) this.#later(() => this.#announced(sessionId));
        return;
      }
      this.#readFailures.delete(sessionId);
      if (!this.#active) return;
      if (this.#committing.has(sessionId)) {
        this.#deferred.add(sessionId); // before or after that commit? Read again once it is over.
        return;
      }
      // The manager committed (or another read reported) meanwhile: read again from there.
      if (this.#seen.has(sessionId) !== had || (this.#seen.get(sessionId) ?? null) !== base) continue;
      this.#seen.set(sessionId, next);
      if (!had) {
        this.#emit([{ type: 'list_replaced', sessionId, taskCount: next?.list.size ?? 0 }]);
      } else if (!sameState(base, next)) {
        const empty = new TaskList(sessionId);
        this.#emit(diffTaskLists(sessionId, base?.list ?? empty, next?.list ?? empty, false, sameTaskContent));
      }
      return;
    }
  }
}
