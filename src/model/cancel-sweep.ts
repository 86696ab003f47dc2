/**
 * Cancelling every open descendant of a task, in O(n + dependencies) instead of one ancestor walk
 * per cancelled task (which is quadratic on a deep chain).
 *
 * The result is the same as the defined rule: for each descendant that was open when the call
 * started (descendant order), set Cancelled and reconcile its ancestors nearest first (see
 * status-rules.ts). Why the shortcut is exact:
 * - A reconciled ancestor that still has an open descendant gets Blocked or InProgress. Between its
 *   first and its last reconciliation of the sweep such an ancestor always has one (the open task
 *   processed at its last reconciliation), so the evaluations in between only choose between
 *   Blocked and InProgress. Those choices are overwritten by the last evaluation, and nobody reads
 *   them meanwhile: the rules only ask whether a task is open, never which open status it has.
 * - So per reconciled task only two evaluations matter: the first (a Completed task turns open,
 *   which other tasks' "blocked" sees) and the last (its final status). Both are done at their
 *   exact place in the sequence, on the list as it is at that moment.
 * - Reconciled tasks are the Completed descendants with open tasks below them (their first/last
 *   reconciliation is at the first/last of those open tasks, which are contiguous in descendant
 *   order) and the task itself with its ancestors (first at the first step, last at the last).
 * Only `updated_at` can differ from a naive replay: it is set once per status actually changed
 * instead of once per intermediate flip. A task on a loop of parent links, or with duplicated
 * ids below it (hand-edited files only), is swept one task at a time.
 */
import { TaskStatus } from '../schema/enums.js';
import type { Task } from '../schema/task.js';
import type { Clock } from './clock.js';
import { isBlocked, isOpen } from './readiness.js';
import { ancestorChain, applyStatus, reconcileAncestors, reconciledStatus, setStatusRaw } from './status-rules.js';
import type { TaskList } from './task-list.js';

/** The interim status of a reconciled task that still has an open descendant. */
function interimStatus(list: TaskList, task: Task): TaskStatus {
  return isBlocked(list, task) ? TaskStatus.Blocked : TaskStatus.InProgress;
}

/** Sets `status` on task `id` unless it already has it. */
function setIfChanged(list: TaskList, id: string, status: TaskStatus, clock: Clock): Task {
  const task = list.getTask(id);
  return task.status === status ? task : setStatusRaw(list, id, status, clock);
}

/**
 * Cancels the descendants of `id` that are open now, reconciling ancestors as each status change
 * does; returns their ids in descendant order. NotFound when `id` is missing.
 * O(n + dependencies) plus sorting unsorted sibling groups.
 */
export function cancelOpenDescendants(list: TaskList, id: string, clock: Clock): string[] {
  const root = list.getTask(id);
  const desc = list.descendants(id);
  const open = desc.filter(isOpen).map((t) => t.id);
  if (open.length === 0) return [];
  const chain = ancestorChain(list, id);
  const onLoop = chain.loopAt === id;
  // Hand-edited files only, one task at a time (each O(n)): a descendant whose id an earlier task
  // also has, or an open task on a loop of parent links through `id` (it is then an ancestor of
  // tasks cancelled before it, and may finish in between).
  if (desc.some((t) => list.findTask(t.id) !== t) || (onLoop && chain.ids.some((a) => isOpen(list.getTask(a))))) {
    for (const openId of open) applyStatus(list, openId, TaskStatus.Cancelled, clock);
    return open;
  }
  // `id` on a loop of parent links (hand-edited files only): its ancestors are the other loop
  // members, which are also its descendants. Each member's descendants are then the whole loop with
  // everything below it, except the member itself.
  const loopMembers = new Set<string>(onLoop ? [id, ...chain.ids] : []);

  const n = desc.length;
  const k = open.length;
  // Index of each descendant in `desc` by its list position, and its parent's index (-1: `id`).
  const indexOfPos = new Map<number, number>();
  for (let i = 0; i < n; i++) indexOfPos.set(list.positionOf((desc[i] as Task).id), i);
  const parent = new Int32Array(n);
  const depth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = indexOfPos.get(list.positionOf((desc[i] as Task).parent_id as string));
    parent[i] = p ?? -1;
    depth[i] = p === undefined ? 0 : (depth[p] as number) + 1;
  }
  // Subtree sizes (pre-order: a subtree is a contiguous range) and open-task prefix counts.
  const size = new Int32Array(n).fill(1);
  for (let i = n - 1; i >= 0; i--) {
    const p = parent[i] as number;
    if (p >= 0) size[p] = (size[p] as number) + (size[i] as number);
  }
  const openBefore = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) openBefore[i + 1] = (openBefore[i] as number) + (isOpen(desc[i] as Task) ? 1 : 0);

  // Reconciled descendants: Completed ones with open tasks below. Events per step, nearest first.
  const reconciled = new Uint8Array(n);
  const nearest = new Int32Array(n).fill(-1);
  const events: { index: number; final: boolean }[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) {
    const p = parent[i] as number;
    nearest[i] = p < 0 ? -1 : reconciled[p] === 1 ? p : (nearest[p] as number);
    if ((desc[i] as Task).status !== TaskStatus.Completed || loopMembers.has((desc[i] as Task).id)) continue;
    const first = openBefore[i + 1] as number;
    const last = (openBefore[i + (size[i] as number)] as number) - 1;
    if (last < first) continue;
    reconciled[i] = 1;
    if (first < last) (events[first] as { index: number; final: boolean }[]).push({ index: i, final: false });
    (events[last] as { index: number; final: boolean }[]).push({ index: i, final: true });
  }
  for (const step of events) if (step.length > 1) step.sort((a, b) => (depth[b.index] as number) - (depth[a.index] as number));

  // openBelow[i] > 0: a reconciled descendant of desc[i] ended open.
  const openBelow = new Int32Array(n);
  let openUnderRoot = false;
  for (let t = 0; t < k; t++) {
    setStatusRaw(list, open[t] as string, TaskStatus.Cancelled, clock);
    for (const { index, final } of events[t] as { index: number; final: boolean }[]) {
      const taskId = (desc[index] as Task).id;
      const task = list.getTask(taskId);
      if (!final) {
        setIfChanged(list, taskId, interimStatus(list, task), clock);
        continue;
      }
      const next = reconciledStatus(list, task, (openBelow[index] as number) > 0);
      setIfChanged(list, taskId, next, clock);
      if (isOpen({ status: next })) {
        const up = nearest[index] as number;
        if (up < 0) openUnderRoot = true;
        else openBelow[up] = (openBelow[up] as number) + 1;
      }
    }
    if (t === 0 && k > 1) {
      // First reconciliation of `id` and its ancestors: open tasks remain below all of them.
      for (const upId of [root.id, ...chain.ids]) {
        const up = list.getTask(upId);
        if (up.status !== TaskStatus.Cancelled) setIfChanged(list, upId, interimStatus(list, up), clock);
      }
    }
    if (t === k - 1 && onLoop) {
      finishLoop(list, root.id, chain.ids, desc, parent, open[t] as string, clock);
    } else if (t === k - 1) {
      const self = list.getTask(root.id);
      if (self.status !== TaskStatus.Cancelled) setIfChanged(list, root.id, reconciledStatus(list, self, openUnderRoot), clock);
      reconcileAncestors(list, root.id, openUnderRoot, clock);
    }
  }
  return open;
}

/**
 * The last reconciliation of a loop that `rootId` is on: the members in the order the last
 * cancelled task's ancestor walk meets them (up from it to its loop member, round the loop). Each
 * member has an open descendant when the loop and what hangs below it hold an open task besides
 * the member itself: one count, kept up to date. O(n).
 */
function finishLoop(
  list: TaskList,
  rootId: string,
  ancestorIds: readonly string[],
  desc: readonly Task[],
  parent: Int32Array,
  lastCancelled: string,
  clock: Clock,
): void {
  // Walk order round the loop, going up: root, its parent, …, the root's child on the loop.
  const up = [rootId, ...ancestorIds];
  const members = new Set(up);
  // The member the last cancelled task hangs from (or is): the walk starts there.
  let index = desc.findIndex((t) => t.id === lastCancelled);
  while (index >= 0 && !members.has((desc[index] as Task).id)) index = parent[index] as number;
  const entry = index < 0 ? rootId : (desc[index] as Task).id;
  let openCount = (isOpen(list.getTask(rootId)) ? 1 : 0) + desc.filter((t) => isOpen(list.getTask(t.id))).length;
  const start = up.indexOf(entry);
  for (let step = 0; step < up.length; step++) {
    const memberId = up[(start + step) % up.length] as string;
    const member = list.getTask(memberId);
    if (member.status === TaskStatus.Cancelled) continue;
    const wasOpen = isOpen(member);
    const next = reconciledStatus(list, member, openCount - (wasOpen ? 1 : 0) > 0);
    setIfChanged(list, memberId, next, clock);
    openCount += (isOpen({ status: next }) ? 1 : 0) - (wasOpen ? 1 : 0);
  }
}
