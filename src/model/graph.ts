/**
 * Graph walks over a task list: sibling order, descendants, dependency reachability and the tree.
 * All iterative (no recursion, so 10,000-deep chains are fine) and guarded against cycles.
 */
import type { TaskTreeNode } from '../schema/results.js';
import type { Task } from '../schema/task.js';
import type { TaskList } from './task-list.js';
import { compareTimestamps } from '../schema/timestamp.js';

/** Sibling order: `sort_order`, then `created_at` instant (negative when `x` comes first). O(1). */
export function siblingOrder(x: Task, y: Task): number {
  return x.sort_order - y.sort_order || compareTimestamps(x.created_at, y.created_at);
}

/** Siblings sorted by (`sort_order`, `created_at` instant), stable. O(k) when already in order, else O(k log k). */
export function sortSiblings(tasks: Task[]): Task[] {
  for (let i = 1; i < tasks.length; i++) {
    if (siblingOrder(tasks[i - 1] as Task, tasks[i] as Task) > 0) return tasks.slice().sort(siblingOrder);
  }
  return tasks.slice();
}

/**
 * Positions of siblings in sibling order (ties keep list order). Returns `positions` itself when
 * it is already in order (the common case: siblings created one after another), so callers must
 * not change the result.
 */
function sortedPositions(tasks: readonly Task[], positions: readonly number[]): readonly number[] {
  for (let i = 1; i < positions.length; i++) {
    if (siblingOrder(tasks[positions[i - 1] as number] as Task, tasks[positions[i] as number] as Task) > 0) {
      return positions.slice().sort((p, q) => siblingOrder(tasks[p] as Task, tasks[q] as Task) || p - q);
    }
  }
  return positions;
}

/**
 * Descendants of `id` in depth-first pre-order, excluding `id`, children sorted at every level.
 * Each task is visited once even if parent links loop. O(n) plus sorting of unsorted sibling
 * groups; works on positions with a bitmap, so no per-node allocation beyond the result.
 */
export function collectDescendants(list: TaskList, id: string): Task[] {
  const tasks = list.tasks;
  const out: Task[] = [];
  const seen = new Uint8Array(tasks.length);
  const rootPos = list.positionOf(id);
  if (rootPos >= 0) seen[rootPos] = 1;
  // Stack of positions still to visit, pushed in reverse so the first child pops first.
  const stack: number[] = [];
  const pushChildren = (parentId: string): void => {
    const children = sortedPositions(tasks, list.childPositions(parentId));
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as number);
  };
  pushChildren(id);
  while (stack.length > 0) {
    const pos = stack.pop() as number;
    if (seen[pos] === 1) continue;
    seen[pos] = 1;
    const task = tasks[pos] as Task;
    out.push(task);
    pushChildren(task.id);
  }
  return out;
}

/** True when `to` is reachable from `from` along `blocked_by` edges. O(V+E). */
export function dependencyPathExists(list: TaskList, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const task = list.findTask(stack.pop() as string);
    if (task === null) continue;
    for (const next of task.blocked_by) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}

/**
 * The forest: roots are tasks with no parent or a missing parent; children sorted. Tasks not
 * reached from those roots sit on (or under) a loop of parent links: for each such loop, its first
 * member in list order becomes a root. Every task appears exactly once. O(n) plus sorting of
 * unsorted sibling groups. Nodes hold `copyTask(task)`: a copy for callers, or the task itself.
 */
export function buildTree(list: TaskList, copyTask: (task: Task) => Task = (task) => task): TaskTreeNode[] {
  const tasks = list.tasks;
  const placed = new Uint8Array(tasks.length);
  let placedCount = 0;
  const roots: TaskTreeNode[] = [];

  const grow = (rootPos: number): TaskTreeNode => {
    const rootNode: TaskTreeNode = { task: copyTask(tasks[rootPos] as Task), children: [] };
    placed[rootPos] = 1;
    placedCount++;
    const stackPos: number[] = [rootPos];
    const stackNode: TaskTreeNode[] = [rootNode];
    while (stackPos.length > 0) {
      const pos = stackPos.pop() as number;
      const node = stackNode.pop() as TaskTreeNode;
      for (const child of sortedPositions(tasks, list.childPositions((tasks[pos] as Task).id))) {
        if (placed[child] === 1) continue;
        placed[child] = 1;
        placedCount++;
        const childNode: TaskTreeNode = { task: copyTask(tasks[child] as Task), children: [] };
        node.children.push(childNode);
        stackPos.push(child);
        stackNode.push(childNode);
      }
    }
    return rootNode;
  };

  const rootPositions: number[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const parentId = (tasks[i] as Task).parent_id;
    if (parentId === null || !list.hasTask(parentId)) rootPositions.push(i);
  }
  for (const pos of sortedPositions(tasks, rootPositions)) roots.push(grow(pos));

  if (placedCount < tasks.length) {
    const parentPos = (pos: number): number => {
      const parentId = (tasks[pos] as Task).parent_id;
      return parentId === null ? -1 : list.positionOf(parentId);
    };
    for (let start = 0; start < tasks.length; start++) {
      if (placed[start] === 1) continue;
      // Walk up until a position repeats: that repetition closes the loop above `start`.
      const onPath = new Set<number>();
      let cursor = start;
      while (cursor >= 0 && !onPath.has(cursor) && placed[cursor] !== 1) {
        onPath.add(cursor);
        cursor = parentPos(cursor);
      }
      let loopRoot = start;
      if (cursor >= 0 && onPath.has(cursor)) {
        // The loop's members are cursor, parent(cursor), …; take the first in list order.
        loopRoot = cursor;
        for (let member = parentPos(cursor); member >= 0 && member !== cursor; member = parentPos(member)) {
          if (member < loopRoot) loopRoot = member;
        }
      }
      roots.push(grow(loopRoot));
      if (placed[start] !== 1) roots.push(grow(start));
    }
  }
  return roots;
}
