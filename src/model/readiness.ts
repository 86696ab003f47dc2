/**
 * The only home of "open", "blocked", "has open subtasks", "ready" and "can complete", and of
 * their reasons. The completion gate, ancestor reconciliation, the ready queue, `isTaskBlocked`
 * and every front end (CLI, MCP, dashboard, agent tools) ask these functions; none re-derives them.
 *
 * The rules (README guarantees and docs/ describe them for users):
 * - open: status is neither Completed nor Cancelled;
 * - blocked: some id in `blocked_by` is missing from the list or names an open task;
 * - open subtasks: the open tasks among ALL descendants (a Cancelled child does not hide an open
 *   grandchild), in descendant order;
 * - can complete: not blocked, no open subtasks, no active background job (the checks of the
 *   completion gate, in that order);
 * - startable: status NotStarted or Blocked. When the caller gives the time, leased claims count
 *   too (see claims.ts): a task under a live claim is not startable whatever its status, and an
 *   InProgress task whose claim expired is startable again (the claim no longer holds it);
 * - ready: startable, and the task can complete right now.
 *
 * Decision: a task whose background job is active (Queued, Blocked, AwaitingApproval, Running) is
 * NOT ready. Its work is already owned by whoever runs the job (an orchestrator task is created
 * with a Queued job), so handing it to a second agent would run it twice, and the completion gate
 * would refuse the claimant's completion until the job ends. With this rule, a ready task is
 * exactly one whose completion would be accepted now: ready ⇒ can complete.
 *
 * The functions read a {@link TaskList} and never change it. Tasks they return are the list's own
 * objects: read them, never change them.
 */
import { InvalidInputError } from '../errors.js';
import type { TaskBackgroundJob } from '../schema/background-job.js';
import { TaskBackgroundStatus, TaskStatus } from '../schema/enums.js';
import type { Task } from '../schema/task.js';
import { isLive, readClaim } from './claims.js';
import { siblingOrder, sortSiblings } from './graph.js';
import { isActiveBackgroundStatus, isTerminal } from './status.js';
import type { TaskList } from './task-list.js';

/** True when the task is neither Completed nor Cancelled. O(1). */
export function isOpen(task: Pick<Task, 'status'>): boolean {
  return !isTerminal(task);
}

/**
 * The ids in `task.blocked_by` that keep it waiting: missing from the list or naming an open
 * task. In `blocked_by` order, each id once. O(dependencies).
 */
export function blockingDependencies(list: TaskList, task: Pick<Task, 'blocked_by'>): string[] {
  const out = new Set<string>();
  for (const id of task.blocked_by) {
    const blocker = list.findTask(id);
    if (blocker === null || isOpen(blocker)) out.add(id);
  }
  return [...out];
}

/** True when {@link blockingDependencies} is not empty; stops at the first one. O(dependencies). */
export function isBlocked(list: TaskList, task: Pick<Task, 'blocked_by'>): boolean {
  for (const id of task.blocked_by) {
    const blocker = list.findTask(id);
    if (blocker === null || isOpen(blocker)) return true;
  }
  return false;
}

/**
 * The open descendants of task `id` (all levels, not only children), in descendant order
 * (depth-first, siblings by `sort_order` then `created_at`). NotFound when `id` is missing.
 * O(descendants) plus sorting unsorted sibling groups.
 */
export function openSubtasks(list: TaskList, id: string): Task[] {
  return list.descendants(id).filter(isOpen);
}

/**
 * True when some descendant of `id` is open: the same answer as `openSubtasks(list, id).length >
 * 0`, without sorting and stopping at the first open one. Safe against parent-link loops.
 *
 * Cost: it only looks below `id` through Completed/Cancelled tasks, so over all tasks of a list
 * asked once each (as {@link readyTasks} does) the total is O(n): a task is looked at only from its
 * nearest open ancestor.
 */
export function hasOpenSubtasks(list: TaskList, id: string): boolean {
  return openBelowChildren(list, id, -1);
}

/**
 * True when a task in the subtrees of `parentId`'s children (leaving out the child at list
 * position `exceptPos`; -1 for none) is open. Looks below Completed/Cancelled tasks only, stops
 * at the first open one, and allocates nothing when the children are leaves. Safe against
 * parent-link loops.
 */
export function openBelowChildren(list: TaskList, parentId: string, exceptPos: number): boolean {
  const tasks = list.tasks;
  const start = list.positionOf(parentId);
  let stack: number[] | null = null;
  for (const pos of list.childPositions(parentId)) {
    const child = tasks[pos] as Task;
    if (pos === exceptPos || pos === start) continue;
    if (isOpen(child)) return true;
    if (list.childPositions(child.id).length > 0) (stack ??= []).push(pos);
  }
  if (stack === null) return false;
  const seen = new Set<number>(start >= 0 ? [start, ...stack] : stack);
  while (stack.length > 0) {
    const pos = stack.pop() as number;
    for (const child of list.childPositions((tasks[pos] as Task).id)) {
      if (seen.has(child)) continue;
      seen.add(child);
      if (isOpen(tasks[child] as Task)) return true;
      stack.push(child);
    }
  }
  return false;
}

/** The task's background job when it is active (Queued, Blocked, AwaitingApproval, Running), else null. O(1). */
export function activeBackgroundJob(task: Pick<Task, 'background_job'>): TaskBackgroundJob | null {
  const job = task.background_job;
  return job != null && isActiveBackgroundStatus(job.status) ? job : null;
}

/**
 * True when an open task that is not ready is held back by something outside itself: a dependency
 * it waits for, a Blocked status, or a background job that waits (Blocked or AwaitingApproval).
 * A parent that is only waiting for its own open subtasks is not "held back": its work is in its
 * subtree. The runtime snapshot, the dashboard and the CLI list such tasks as blocked. O(dependencies).
 */
export function isHeldBack(list: TaskList, task: Task): boolean {
  if (!isOpen(task) || isReady(list, task)) return false;
  const job = task.background_job;
  const jobWaits = job != null && (job.status === TaskBackgroundStatus.Blocked || job.status === TaskBackgroundStatus.AwaitingApproval);
  return task.status === TaskStatus.Blocked || jobWaits || isBlocked(list, task);
}

/** Why a task is or is not ready, as returned by {@link readiness}. */
export interface Readiness {
  /** True when an agent can start the task now and its completion would be accepted. */
  readonly ready: boolean;
  /** The task may be started: NotStarted or Blocked and no live claim, or InProgress under an expired claim. */
  readonly startable: boolean;
  /** Dependencies it waits for (see {@link blockingDependencies}). */
  readonly waitingFor: string[];
  /** Ids of its open descendants, in descendant order (see {@link openSubtasks}). */
  readonly openSubtasks: string[];
  /** Its active background job, or null. */
  readonly activeJob: TaskBackgroundJob | null;
}

/**
 * True when an agent may start the task: status NotStarted or Blocked. With `now` (the current
 * instant), a live claim makes it false, and InProgress under an expired claim makes it true. O(1).
 */
export function isStartable(task: Pick<Task, 'status' | 'metadata'>, now?: string): boolean {
  if (now !== undefined) {
    const claim = readClaim(task);
    if (claim !== null) {
      if (isLive(claim, now)) return false;
      if (task.status === TaskStatus.InProgress) return true;
    }
  }
  return task.status === TaskStatus.NotStarted || task.status === TaskStatus.Blocked;
}

/**
 * Whether `task` (a task of `list`) is ready, with every reason at once; `now` as in
 * {@link isStartable}. O(descendants of the task + dependencies).
 */
export function readiness(list: TaskList, task: Task, now?: string): Readiness {
  const waitingFor = blockingDependencies(list, task);
  const open = openSubtasks(list, task.id).map((t) => t.id);
  const activeJob = activeBackgroundJob(task);
  const startable = isStartable(task, now);
  return {
    ready: startable && waitingFor.length === 0 && open.length === 0 && activeJob === null,
    startable,
    waitingFor,
    openSubtasks: open,
    activeJob,
  };
}

/**
 * The can-complete rule itself, without the reasons: no open or missing dependency, no active
 * background job, and no open descendant, where `openBelow` answers the last part (ancestor
 * reconciliation already knows it; everyone else asks {@link hasOpenSubtasks}). Cheapest check
 * first. O(dependencies) plus `openBelow`.
 */
export function mayComplete(list: TaskList, task: Task, openBelow: () => boolean): boolean {
  return !isBlocked(list, task) && activeBackgroundJob(task) === null && !openBelow();
}

/** True when `task` is ready (see {@link readiness}), without collecting the reasons. */
export function isReady(list: TaskList, task: Task, now?: string): boolean {
  return isStartable(task, now) && mayComplete(list, task, () => hasOpenSubtasks(list, task.id));
}

/**
 * The ready tasks of the list, by `sort_order`, then `created_at` instant, then list order. A
 * duplicated id counts once (its first occurrence). With `now`, a task under an expired claim is
 * ready again (see {@link isStartable}). O(n log n) for n tasks.
 */
export function readyTasks(list: TaskList, now?: string): Task[] {
  const ready = list.tasks.filter((t) => list.findTask(t.id) === t && isReady(list, t, now));
  return sortSiblings(ready);
}

/**
 * The first of {@link readyTasks}, or null when none is ready, without finding every ready task
 * or sorting: one pass in list order keeps the best ready task so far, and tests readiness only for
 * a task that would come before it (sibling order, ties to the earlier task in the list, as the
 * stable sort of readyTasks gives). The test fails in O(1) for a task that is not startable (e.g.
 * already claimed), so a queue whose front is taken costs O(n) cheap checks. O(n).
 */
export function firstReadyTask(list: TaskList, now?: string): Task | null {
  let best: Task | null = null;
  for (const t of list.tasks) {
    if (best !== null && siblingOrder(t, best) >= 0) continue;
    if (isStartable(t, now) && list.findTask(t.id) === t && isReady(list, t, now)) best = t;
  }
  return best;
}

/** Why a task cannot be completed, as returned by {@link completionBlocker}. */
export type CompletionBlocker =
  | { readonly reason: 'dependencies'; readonly waitingFor: string[]; readonly message: string }
  | { readonly reason: 'subtasks'; readonly openSubtasks: string[]; readonly message: string }
  | { readonly reason: 'background_job'; readonly job: TaskBackgroundJob; readonly message: string };

/**
 * Why task `id` cannot be completed, or null when it can: the completion gate. Checks in order:
 * missing task (NotFound is thrown), open dependencies, open subtasks, an active background job.
 * `message` is the text of the InvalidInput error the gate raises. O(descendants + dependencies).
 */
export function completionBlocker(list: TaskList, id: string): CompletionBlocker | null {
  const task = list.getTask(id);
  const waitingFor = blockingDependencies(list, task);
  if (waitingFor.length > 0) {
    return { reason: 'dependencies', waitingFor, message: `task '${task.name}' cannot be completed while dependencies remain open` };
  }
  const open = openSubtasks(list, id);
  if (open.length > 0) {
    const names = open.map((t) => `'${t.name}'`).join(', ');
    return {
      reason: 'subtasks',
      openSubtasks: open.map((t) => t.id),
      message: `task '${task.name}' cannot be completed while subtasks remain open: ${names}`,
    };
  }
  const job = activeBackgroundJob(task);
  if (job !== null) {
    return { reason: 'background_job', job, message: `task '${task.name}' cannot be completed while its background job is still ${job.status}` };
  }
  return null;
}

/**
 * True when task `id` may be completed ({@link completionBlocker} is null), stopping at the first
 * reason. NotFound when `id` is missing.
 */
export function canComplete(list: TaskList, id: string): boolean {
  return mayComplete(list, list.getTask(id), () => hasOpenSubtasks(list, id));
}

/** The completion gate: throws the InvalidInput error of {@link completionBlocker}, if any. */
export function checkCompletion(list: TaskList, id: string): void {
  const blocker = completionBlocker(list, id);
  if (blocker !== null) throw new InvalidInputError(blocker.message);
}
