/**
 * Change events: what a commit changed, derived by comparing the list before and after it. Tasks
 * are immutable inside a list, so "changed" is an identity check: O(n) per commit, and only
 * computed when someone listens.
 */
import { printJson } from './json/print.js';
import { cloneJson } from './json/value.js';
import type { TaskList } from './model/task-list.js';
import { TASK_FORM } from './schema/json-forms.js';
import type { TaskStatus } from './schema/enums.js';
import type { Task } from './schema/task.js';

/** One change to a session's list. Tasks in events are copies. */
export type TaskChangeEvent =
  | { type: 'created'; sessionId: string; task: Task }
  | { type: 'updated'; sessionId: string; task: Task; previous: Task }
  | { type: 'status_changed'; sessionId: string; task: Task; from: TaskStatus; to: TaskStatus }
  | { type: 'deleted'; sessionId: string; task: Task }
  | { type: 'current_changed'; sessionId: string; from: string | null; to: string | null }
  | { type: 'list_replaced'; sessionId: string; taskCount: number };

/** A listener for change events. Errors it throws are caught and ignored. */
export type TaskChangeListener = (event: TaskChangeEvent) => void;

/**
 * Calls `listener` with `event`, ignoring what it throws and what its promise (if it returns one)
 * rejects with: a listener's failure must not fail the commit or watch that reported the change.
 */
export function deliverEvent(listener: TaskChangeListener, event: TaskChangeEvent): void {
  try {
    const returned: unknown = listener(event);
    if (returned instanceof Promise) returned.catch(() => undefined);
  } catch {
    // Ignored, see above.
  }
}

/**
 * The events that turn `before` into `after`: `list_replaced` alone when the whole list was
 * replaced; else created / updated (+ status_changed) / deleted per task and current_changed.
 * Tasks count as unchanged when `same` says so (default: the same object, which is exact for a
 * commit's working copy; the session watcher, whose lists are separate reads, compares content).
 */
export function diffTaskLists(
  sessionId: string,
  before: TaskList,
  after: TaskList,
  replaced: boolean,
  same: (a: Task, b: Task) => boolean = Object.is,
): TaskChangeEvent[] {
  if (replaced) return [{ type: 'list_replaced', sessionId, taskCount: after.size }];
  const events: TaskChangeEvent[] = [];
  for (const task of after.tasks) {
    const old = before.findTask(task.id);
    if (old === null) {
      events.push({ type: 'created', sessionId, task: cloneJson(task) });
    } else if (!same(old, task)) {
      events.push({ type: 'updated', sessionId, task: cloneJson(task), previous: cloneJson(old) });
      if (old.status !== task.status) {
        events.push({ type: 'status_changed', sessionId, task: cloneJson(task), from: old.status, to: task.status });
      }
    }
  }
  for (const task of before.tasks) {
    if (!after.hasTask(task.id)) events.push({ type: 'deleted', sessionId, task: cloneJson(task) });
  }
  if (before.currentTaskId() !== after.currentTaskId()) {
    events.push({ type: 'current_changed', sessionId, from: before.currentTaskId(), to: after.currentTaskId() });
  }
  return events;
}

/**
 * True when `a` and `b` are the same task or print the same: how lists read separately (by a
 * watcher, or by a manager reporting other writers' commits) are compared. O(size of the tasks).
 */
export function sameTaskContent(a: Task, b: Task): boolean {
  return a === b || printJson(a, TASK_FORM) === printJson(b, TASK_FORM);
}
