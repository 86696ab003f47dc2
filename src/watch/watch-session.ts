/**
 * Watching a session for changes written by anyone: other processes, other managers, this one.
 *
 * The watcher polls the manager's store. An unchanged session costs one `stat` per poll (the file
 * store's change detection); only when the file changed is it parsed and compared with the last
 * list seen, task by task on content, and the differences are reported as the same
 * {@link TaskChangeEvent}s that `manager.on('change')` delivers. Polls never overlap. Changes
 * that happen between two polls are reported together as their net effect (a task created and
 * deleted in between is not seen; a whole-list replacement shows as per-task events).
 */
import { InvalidInputError, TaskError, TaskIoError } from '../errors.js';
import { deliverEvent, diffTaskLists, type TaskChangeEvent, type TaskChangeListener } from '../events.js';
import { printJson } from '../json/print.js';
import type { TaskManager } from '../manager.js';
import { TaskList } from '../model/task-list.js';
import { requireFunction } from '../model/validate.js';
import { TASK_FORM } from '../schema/json-forms.js';
import type { Task } from '../schema/task.js';
import type { StoredList } from '../store/task-store.js';

/** Options of {@link watchSession}. */
export interface WatchSessionOptions {
  /** Time between the end of one poll and the start of the next. Default 250 ms; at least 10. */
  readonly intervalMs?: number;
  /**
   * Called when a poll fails (an unreadable or corrupt file, an I/O error). Watching goes on; the
   * next successful poll reports the changes since the last list that could be read.
   */
  readonly onError?: (error: TaskError) => void;
  /** Keep the process alive while watching (like `fs.watch`). Default true. */
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

function sameContent(a: Task, b: Task): boolean {
  return a === b || printJson(a, TASK_FORM) === printJson(b, TASK_FORM);
}

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
  const empty = new TaskList(sessionId);
  let known: StoredList | null;
  try {
    known = await store.read(sessionId, null);
  } catch (error) {
    throw asTaskError(error);
  }

  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const check = async (): Promise<TaskChangeEvent[]> => {
    const next = await store.read(sessionId, known);
    if (next === known) return [];
    const before = known?.list ?? empty;
    const after = next?.list ?? empty;
    known = next;
    if (before === after) return [];
    const events = diffTaskLists(sessionId, before, after, false, sameContent);
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

  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      timer = null;
      void enqueue(async () => {
        if (closed) return;
        try {
          await check();
        } catch (error) {
          try {
            options.onError?.(asTaskError(error));
          } catch {
            // ignored, like listener errors
          }
        }
      }).finally(schedule);
    }, interval);
    if (options.persistent === false) timer.unref();
  };

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
      }
      await queue;
    },
  };

  if (options.signal?.aborted) {
    closed = true;
    return watcher;
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  schedule();
  return watcher;
}
