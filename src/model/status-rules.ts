/**
 * Status changes with ancestor reconciliation: after a task's status is set, each ancestor,
 * nearest first, becomes Completed if it may complete, else Blocked if it waits for a dependency,
 * else InProgress (a Cancelled ancestor is left alone). The predicates come from ./readiness.ts.
 */
import { TaskStatus } from '../schema/enums.js';
import type { Task } from '../schema/task.js';
import type { Clock } from './clock.js';
import { checkCompletion, hasOpenSubtasks, isBlocked, isOpen, mayComplete, openBelowChildren } from './readiness.js';
import { isTerminalStatus } from './status.js';
import type { TaskList } from './task-list.js';

/** Sets a status as is (no checks), clearing the current pointer if the task became terminal while pointed at. O(1). */
export function setStatusRaw(list: TaskList, id: string, status: TaskStatus, clock: Clock): Task {
  const task = list.updateTask(id, { status }, clock);
  if (isTerminalStatus(status) && list.currentTaskId() === id) list.setCurrentTaskId(null);
  return task;
}

/**
 * The ancestors of `id`, nearest first, up to a missing parent or a loop of parent links.
 * `loopAt` is the id where the chain ran into itself (then the ancestors from `loopAt` on, and
 * `id` itself when `loopAt` is `id`, form the loop), else null. O(depth).
 */
export function ancestorChain(list: TaskList, id: string): { ids: string[]; loopAt: string | null } {
  const ids: string[] = [];
  const seen = new Set<string>([id]);
  let parentId = list.findTask(id)?.parent_id ?? null;
  while (parentId !== null && list.hasTask(parentId)) {
    if (seen.has(parentId)) return { ids, loopAt: parentId };
    seen.add(parentId);
    ids.push(parentId);
    parentId = list.findTask(parentId)?.parent_id ?? null;
  }
  return { ids, loopAt: null };
}

/** The status reconciliation gives a non-Cancelled task, given whether it has an open descendant. */
export function reconciledStatus(list: TaskList, task: Task, hasOpenDescendant: boolean): TaskStatus {
  if (mayComplete(list, task, () => hasOpenDescendant)) return TaskStatus.Completed;
  return isBlocked(list, task) ? TaskStatus.Blocked : TaskStatus.InProgress;
}

/** Sets the reconciled status of a non-Cancelled ancestor when it differs; returns the task as stored. */
function reconcileOne(list: TaskList, id: string, hasOpenDescendant: boolean, clock: Clock): Task {
  const task = list.getTask(id);
  if (task.status === TaskStatus.Cancelled) return task;
  const next = reconciledStatus(list, task, hasOpenDescendant);
  return next === task.status ? task : setStatusRaw(list, id, next, clock);
}

/**
 * Reconciles the ancestors of `id`, nearest first, given whether `id` has an open descendant now
 * (null: find out). Whether an ancestor has an open descendant is carried up the chain: the child
 * we came from, its own open descendants, and the other children's subtrees, each looked at once.
 * On a loop of parent links (hand-edited files only), every member's descendants are the whole
 * loop with everything hanging below it except the member itself, so one count of its open tasks,
 * kept up to date, answers for each member. O(n) in all cases.
 */
export function reconcileAncestors(list: TaskList, id: string, idHasOpenDescendant: boolean | null, clock: Clock): void {
  const { ids, loopAt } = ancestorChain(list, id);
  if (ids.length === 0) return;
  // Ancestors before the loop (all of them when there is none) form an ordinary tree path.
  const loopIndex = loopAt === null ? ids.length : loopAt === id ? 0 : ids.indexOf(loopAt);
  let below = list.getTask(id);
  let belowPos = list.positionOf(id);
  // True when a task strictly below `below` is open.
  let openBelow = loopIndex === 0 ? false : (idHasOpenDescendant ?? hasOpenSubtasks(list, id));
  for (let i = 0; i < loopIndex; i++) {
    const ancestorId = ids[i] as string;
    openBelow = openBelow || isOpen(below) || openBelowChildren(list, ancestorId, belowPos);
    below = reconcileOne(list, ancestorId, openBelow, clock);
    belowPos = list.positionOf(ancestorId);
  }
  if (loopIndex === ids.length) return;
  const loopStart = loopAt as string;
  let openInLoop = (isOpen(list.getTask(loopStart)) ? 1 : 0) + list.descendants(loopStart).filter(isOpen).length;
  for (let i = loopIndex; i < ids.length; i++) {
    const member = list.getTask(ids[i] as string);
    const wasOpen = isOpen(member);
    const after = reconcileOne(list, member.id, openInLoop - (wasOpen ? 1 : 0) > 0, clock);
    openInLoop += (isOpen(after) ? 1 : 0) - (wasOpen ? 1 : 0);
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
