/**
 * Watching a session for changes written by anyone: other processes, other machines, other
 * managers, this one.
 *
 * When the manager's store has a live change feed (the PostgreSQL store), the watcher subscribes
 * to it and reads the session only when a commit to it is announced, or when the feed comes back
 * after an outage (then once, to report the net change missed); there is no timer while the feed
 * is up. Announcements arriving while a read is queued share that read. Otherwise (the file store)
 * the watcher polls: an unchanged session costs one `stat` per poll.
 *
 * Either way a changed session is compared with the last list seen, task by task on content, and
 * the differences are reported as the same {@link TaskChangeEvent}s that `manager.on('change')`
 * delivers. Reads never overlap. Changes that happen between two reads are reported together as
 * their net effect (a task created and deleted in between is not seen; a whole-list replacement
 * shows as per-task events).
 */
import { InvalidInputError, TaskError, TaskIoError } from '../errors.js';
import { deliverEvent, diffTaskLists, sameTaskContent, type TaskChangeEvent, type TaskChangeListener } from '../events.js';
import type { TaskManager } from '../manager.js';
import { TaskList } from '../model/task-list.js';
import { requireFunction } from '../model/validate.js';
import type { StoredList } from '../store/task-store.js';

/** Options of {@link watchSession}. */
export interface WatchSessionOptions {
  /**
   * Time between the end of one poll and the start of the next. Default 250 ms; at least 10. On a
   * store with a change feed there is no polling: this is only the delay before retrying a failed
   * read.
   */
  readonly intervalMs?: number;
  /**
   * Called when a poll fails (an unreadable or corrupt file, an I/O error) or the store's change
   * feed is lost. Watching goes on; the next successful read reports the changes since the last
   * list that could be read.
   */
  readonly onError?: (error: TaskError) => void;
  /**
   * Keep the process alive while watching (like `fs.watch`). Default true. A change feed's
   * connection belongs to the store and keeps the process alive until the store is closed.
   */
  readonly persistent?: boolean;
  /** Stops the watcher when aborted. */
  readonly signal?: AbortSignal;
}

/** A running watch; see {@link watchSession}. */
export interface SessionWatcher {
  /** The watched session. */
  readonly sessionId: string;
  /** True once {@link close} was called (or the signal aborted). */
  readonly closed: boolean;
  /**
   * Checks now (after any poll in progress), delivers the events to the listener and returns them.
   * Read failures are thrown here rather than passed to `onError`.
   */
  poll(): Promise<TaskChangeEvent[]>;
  /** Stops polling; resolves once a poll in progress has finished. Idempotent. */
  close(): Promise<void>;
}

/** Default time between polls. */
export const DEFAULT_WATCH_INTERVAL_MS = 250;

/** The longest delay a Node timer takes (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function asTaskError(error: unknown): TaskError {
  if (error instanceof TaskError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TaskIoError(`unexpected failure while watching: ${reason}`, { cause: error });
}

/**
 * Watches `sessionId` of `manager`'s store and calls `listener` with every change found, whoever
 * wrote it. Resolves once the current state has been read, so every change committed after that
 * is reported. A session without a file counts as an empty list (deleting the file reports every
 * task as deleted). Listener errors are ignored. Throws (InvalidInput) for a bad session id and
 * any error of the first read.
 */
export async function watchSession(
  manager: TaskManager,
  sessionId: string,
  listener: TaskChangeListener,
  options: WatchSessionOptions = {},
): Promise<SessionWatcher> {
  manager.sessionPath(sessionId); // validates the session id
  const notify = requireFunction<TaskChangeListener>(listener, 'listener');
  const interval = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 10) {
    throw new InvalidInputError(`intervalMs must be a number of at least 10, got ${String(interval)}`);
  }
  const store = manager.store;
  const feed = store.changes;
  const empty = new TaskList(sessionId);
  const delay = Math.min(interval, MAX_TIMER_MS);
  let known: StoredList | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  /** A feed-triggered read is queued and has not started: later announcements share it. */
  let readQueued = false;
  let unsubscribe: (() => Promise<void>) | null = null;

  const check = async (): Promise<TaskChangeEvent[]> => {
    const next = await store.read(sessionId, known);
    if (next === known) return [];
    const before = known?.list ?? empty;
    const after = next?.list ?? empty;
    known = next;
    if (before === after) return [];
    const events = diffTaskLists(sessionId, before, after, false, sameTaskContent);
    for (const event of events) {
      if (closed) break;
      deliverEvent(notify, event);
    }
    return events;
  };

  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const report = (error: unknown): void => {
    if (closed) return;
    try {
      options.onError?.(asTaskError(error));
    } catch {
      // ignored, like listener errors
    }
  };

  /** Runs `fn` after `delay` (unless closed), on the one timer. */
  const later = (fn: () => void): void => {
    if (closed || timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, delay);
    if (options.persistent === false) timer.unref();
  };

  /** A read in the background: failures go to onError; on a feed, a failed read is retried later. */
  const backgroundCheck = async (): Promise<void> => {
    if (closed) return;
    try {
      await check();
    } catch (error) {
      report(error);
      if (feed !== undefined) later(requestRead);
    }
  };

  /** A commit was announced (or the feed is back): one read, shared by announcements until it starts. */
  function requestRead(): void {
    if (closed || readQueued) return;
    readQueued = true;
    void enqueue(async () => {
      readQueued = false;
      await backgroundCheck();
    });
  }

  const schedule = (): void => {
    later(() => void enqueue(backgroundCheck).finally(schedule));
  };

  try {
    // Subscribe before the first read: a commit landing in between is announced, not lost.
    if (feed !== undefined) unsubscribe = await feed.subscribe(sessionId, { onChange: requestRead, onResync: requestRead, onError: report });
    // In the queue, so that a read an early announcement queued runs after this one and from it.
    await enqueue(async () => {
      known = await store.read(sessionId, null);
    });
  } catch (error) {
    closed = true;
    await unsubscribe?.().catch(() => undefined);
    throw asTaskError(error);
  }

  const onAbort = (): void => {
    void watcher.close();
  };

  const watcher: SessionWatcher = {
    sessionId,
    get closed() {
      return closed;
    },
    poll: () =>
      enqueue(async () => {
        try {
          return await check();
        } catch (error) {
          throw asTaskError(error);
        }
      }),
    close: async () => {
      if (!closed) {
        closed = true;
        if (timer !== null) clearTimeout(timer);
        timer = null;
        options.signal?.removeEventListener('abort', onAbort);
        await unsubscribe?.().catch(() => undefined);
      }
      await queue;
    },
  };

  if (options.signal?.aborted) {
    await watcher.close();
    return watcher;
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (feed === undefined) schedule();
  return watcher;
}
