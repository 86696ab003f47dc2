/**
 * The completion check and status changes with ancestor reconciliation (SPEC A4, A5).
 */
import { InvalidInputError } from '../errors.js';
import { TaskStatus } from '../schema/enums.js';
import type { Task } from '../schema/task.js';
import type { Clock } from './clock.js';
import { isActiveBackgroundStatus, isTerminal, isTerminalStatus } from './status.js';
import type { TaskList } from './task-list.js';

/** Non-terminal descendants of `id`, in descendant order. */
export function openDescendants(list: TaskList, id: string): Task[] {
  return list.descendants(id).filter((t) => !isTerminal(t));
}

/**
 * Why task `id` cannot be completed, or null when it can. Checks, in order: missing task
 * (NotFound is thrown), open dependencies, open descendants, an active background job.
 */
export function completionBlocker(list: TaskList, id: string): InvalidInputError | null {
  const task = list.getTask(id);
  if (list.isTaskBlocked(id)) {
    return new InvalidInputError(`task '${task.name}' cannot be completed while dependencies remain open`);
  }
  const open = openDescendants(list, id);
  if (open.length > 0) {
    const names = open.map((t) => `'${t.name}'`).join(', ');
    return new InvalidInputError(`task '${task.name}' cannot be completed while subtasks remain open: ${names}`);
  }
  const job = task.background_job;
  if (job != null && isActiveBackgroundStatus(job.status)) {
    return new InvalidInputError(`task '${task.name}' cannot be completed while its background job is still ${job.status}`);
  }
  return null;
}

/**
 * True when some descendant of `id` is not terminal: the same answer as
 * `openDescendants(list, id).length > 0`, but unordered and stopping at the first open one.
 */
function hasOpenDescendant(list: TaskList, id: string): boolean {
  const root = list.findTask(id);
  const seen = new Set<Task>(root === null ? [] : [root]);
  const stack: Task[] = list.childrenOf(id);
  while (stack.length > 0) {
    const task = stack.pop() as Task;
    if (seen.has(task)) continue;
    if (!isTerminal(task)) return true;
    seen.add(task);
    for (const child of list.childrenOf(task.id)) stack.push(child);
  }
  return false;
}

/** True when task `id` (which must exist) may be completed: {@link completionBlocker} is null. */
function canComplete(list: TaskList, id: string): boolean {
  const task = list.getTask(id);
  if (list.isTaskBlocked(id) || hasOpenDescendant(list, id)) return false;
  const job = task.background_job;
  return !(job != null && isActiveBackgroundStatus(job.status));
}

/** Throws the reason task `id` cannot be completed, if any. */
export function checkCompletion(list: TaskList, id: string): void {
  const blocker = completionBlocker(list, id);
  if (blocker !== null) throw blocker;
}

function setStatusRaw(list: TaskList, id: string, status: TaskStatus, clock: Clock): Task {
  const task = list.updateTask(id, { status }, clock);
  if (isTerminalStatus(status) && list.currentTaskId() === id) list.setCurrentTaskId(null);
  return task;
}

/** Ids of the ancestors of `id`, nearest first, stopping at a missing parent or a loop. */
function ancestorIds(list: TaskList, id: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>([id]);
  let parentId = list.findTask(id)?.parent_id ?? null;
  while (parentId !== null && !seen.has(parentId)) {
    seen.add(parentId);
    out.push(parentId);
    parentId = list.findTask(parentId)?.parent_id ?? null;
  }
  return out;
}

/**
 * Sets the status of `id` (completion check first when the target is Completed), clears the
 * current pointer if the task became terminal while pointed at, then reconciles each ancestor,
 * nearest first: Completed if it may complete, else Blocked if blocked, else InProgress (missing
 * and Cancelled ancestors are skipped). Returns the task as stored.
 */
export function applyStatus(list: TaskList, id: string, status: TaskStatus, clock: Clock): Task {
  if (status === TaskStatus.Completed) checkCompletion(list, id);
  else list.getTask(id);
  setStatusRaw(list, id, status, clock);
  for (const ancestorId of ancestorIds(list, id)) {
    const ancestor = list.findTask(ancestorId);
    if (ancestor === null || ancestor.status === TaskStatus.Cancelled) continue;
    const next =
      canComplete(list, ancestorId)
        ? TaskStatus.Completed
        : list.isTaskBlocked(ancestorId)
          ? TaskStatus.Blocked
          : TaskStatus.InProgress;
    if (next !== ancestor.status) setStatusRaw(list, ancestorId, next, clock);
  }
  return list.getTask(id);
}
