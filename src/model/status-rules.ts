/**
 * Status changes with ancestor reconciliation: after a task's status is set, each ancestor,
 * nearest first, becomes Completed if it may complete, else Blocked if it waits for a dependency,
 * else InProgress (a Cancelled ancestor is left alone). The predicates come from ./readiness.ts.
 */
import { TaskStatus } from '../schema/enums.js';
import type { Task } from '../schema/task.js';
import type { Clock } from './clock.js';
import { activeBackgroundJob, canComplete, checkCompletion, hasOpenSubtasks, isBlocked, isOpen, openBelowChildren } from './readiness.js';
import { isTerminalStatus } from './status.js';
import type { TaskList } from './task-list.js';

/** Sets a status as is (no checks), clearing the current pointer if the task became terminal while pointed at. O(1). */
export function setStatusRaw(list: TaskList, id: string, status: TaskStatus, clock: Clock): Task {
  const task = list.updateTask(id, { status }, clock);
  if (isTerminalStatus(status) && list.currentTaskId() === id) list.setCurrentTaskId(null);
  return task;
}

/** The ancestors of `id`, nearest first, up to a missing parent or a loop; `looped` when a loop ended it. O(depth). */
export function ancestorChain(list: TaskList, id: string): { ids: string[]; looped: boolean } {
  const ids: string[] = [];
  const seen = new Set<string>([id]);
  let parentId = list.findTask(id)?.parent_id ?? null;
  while (parentId !== null && list.hasTask(parentId)) {
    if (seen.has(parentId)) return { ids, looped: true };
    seen.add(parentId);
    ids.push(parentId);
    parentId = list.findTask(parentId)?.parent_id ?? null;
  }
  return { ids, looped: false };
}

/** The status reconciliation gives a non-Cancelled task, given whether it has an open descendant. */
export function reconciledStatus(list: TaskList, task: Task, hasOpenDescendant: boolean): TaskStatus {
  const blocked = isBlocked(list, task);
  if (!blocked && !hasOpenDescendant && activeBackgroundJob(task) === null) return TaskStatus.Completed;
  return blocked ? TaskStatus.Blocked : TaskStatus.InProgress;
}

/**
 * Reconciles the ancestors of `id`, nearest first, given whether `id` has an open descendant now.
 * Whether an ancestor has an open descendant is carried up the chain (the child we came from, its
 * own open descendants, and the other children's subtrees, each looked at once), so the whole walk
 * is O(depth + tasks looked at) = O(n). A list with a parent-link loop or duplicated ids falls back
 * to asking {@link canComplete} for each ancestor (O(n · depth)); only hand-edited files have those.
 */
export function reconcileAncestors(list: TaskList, id: string, idHasOpenDescendant: boolean | null, clock: Clock): void {
  const { ids, looped } = ancestorChain(list, id);
  if (ids.length === 0) return;
  if (looped || list.hasDuplicateIds()) {
    for (const ancestorId of ids) {
      const ancestor = list.getTask(ancestorId);
      if (ancestor.status === TaskStatus.Cancelled) continue;
      const next = canComplete(list, ancestorId) ? TaskStatus.Completed : isBlocked(list, ancestor) ? TaskStatus.Blocked : TaskStatus.InProgress;
      if (next !== ancestor.status) setStatusRaw(list, ancestorId, next, clock);
    }
    return;
  }
  let below = list.getTask(id);
  // True when a task strictly below `below` is open.
  let openBelow = idHasOpenDescendant ?? hasOpenSubtasks(list, id);
  for (const ancestorId of ids) {
    openBelow = openBelow || isOpen(below) || openBelowChildren(list, ancestorId, below.id);
    let ancestor = list.getTask(ancestorId);
    if (ancestor.status !== TaskStatus.Cancelled) {
      const next = reconciledStatus(list, ancestor, openBelow);
      if (next !== ancestor.status) ancestor = setStatusRaw(list, ancestorId, next, clock);
    }
    below = ancestor;
  }
}

/**
 * Sets the status of `id` (the completion gate first when the target is Completed), clears the
 * current pointer if the task became terminal while pointed at, then reconciles its ancestors.
 * Returns the task as stored. O(n) (see {@link reconcileAncestors}).
 */
export function applyStatus(list: TaskList, id: string, status: TaskStatus, clock: Clock): Task {
  if (status === TaskStatus.Completed) checkCompletion(list, id);
  else list.getTask(id);
  setStatusRaw(list, id, status, clock);
  reconcileAncestors(list, id, null, clock);
  return list.getTask(id);
}
