/**
 * Graph walks over a task list: sibling order, descendants, dependency reachability and the tree.
 * All iterative (no recursion, so 10,000-deep chains are fine) and guarded against cycles.
 */
import type { TaskTreeNode } from '../schema/results.js';
import type { Task } from '../schema/task.js';
import type { TaskList } from './task-list.js';
import { timestampKey } from './timestamps.js';

/** Siblings sorted by (`sort_order`, `created_at` instant), stable. O(k log k). */
export function sortSiblings(tasks: Task[]): Task[] {
  if (tasks.length < 2) return tasks.slice();
  // Common case: siblings already in order (created one after another). One linear check, no sort.
  let sorted = true;
  let prevKey = timestampKey((tasks[0] as Task).created_at);
  for (let i = 1; i < tasks.length && sorted; i++) {
    const a = tasks[i - 1] as Task;
    const b = tasks[i] as Task;
    const key = timestampKey(b.created_at);
    if (a.sort_order > b.sort_order || (a.sort_order === b.sort_order && prevKey > key)) sorted = false;
    prevKey = key;
  }
  if (sorted) return tasks.slice();
  const keyed = tasks.map((task, i) => ({ task, i, key: timestampKey(task.created_at) }));
  keyed.sort((a, b) => {
    if (a.task.sort_order !== b.task.sort_order) return a.task.sort_order - b.task.sort_order;
    if (a.key !== b.key) return a.key < b.key ? -1 : 1;
    return a.i - b.i;
  });
  return keyed.map((k) => k.task);
}

/**
 * Descendants of `id` in depth-first pre-order, excluding `id`, children sorted at every level.
 * Each task is visited once even if parent links loop. O(n + sorting).
 */
export function collectDescendants(list: TaskList, id: string): Task[] {
  const out: Task[] = [];
  const seen = new Set<Task>();
  const root = list.findTask(id);
  if (root !== null) seen.add(root);
  // Stack of children still to visit, pushed in reverse so the first child pops first.
  const stack: Task[] = sortSiblings(list.childrenOf(id)).reverse();
  while (stack.length > 0) {
    const task = stack.pop() as Task;
    if (seen.has(task)) continue;
    seen.add(task);
    out.push(task);
    const children = sortSiblings(list.childrenOf(task.id));
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Task);
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
 * member in list order becomes a root. Every task appears exactly once. O(n + sorting).
 */
export function buildTree(list: TaskList, copyTask: (task: Task) => Task = (task) => task): TaskTreeNode[] {
  const placed = new Set<Task>();
  const roots: TaskTreeNode[] = [];

  // Nodes hold `copyTask(task)` (a copy for callers, or the task itself); the walk uses the
  // list's own task, kept beside each node on the stack.
  const grow = (rootTask: Task): TaskTreeNode => {
    const rootNode: TaskTreeNode = { task: copyTask(rootTask), children: [] };
    placed.add(rootTask);
    const stack: [Task, TaskTreeNode][] = [[rootTask, rootNode]];
    while (stack.length > 0) {
      const [task, node] = stack.pop() as [Task, TaskTreeNode];
      for (const child of sortSiblings(list.childrenOf(task.id))) {
        if (placed.has(child)) continue;
        placed.add(child);
        const childNode: TaskTreeNode = { task: copyTask(child), children: [] };
        node.children.push(childNode);
        stack.push([child, childNode]);
      }
    }
    return rootNode;
  };

  const isRoot = (t: Task): boolean => t.parent_id === null || !list.hasTask(t.parent_id);
  for (const task of sortSiblings(list.tasks.filter(isRoot))) roots.push(grow(task));

  if (placed.size < list.size) {
    const position = new Map<Task, number>();
    list.tasks.forEach((t, i) => position.set(t, i));
    for (const task of list.tasks) {
      if (placed.has(task)) continue;
      // Walk up until a task repeats: that repetition closes the loop above `task`.
      const onPath = new Set<Task>();
      let cursor: Task | null = task;
      while (cursor !== null && !onPath.has(cursor) && !placed.has(cursor)) {
        onPath.add(cursor);
        cursor = cursor.parent_id === null ? null : list.findTask(cursor.parent_id);
      }
      let loopRoot = task;
      if (cursor !== null && onPath.has(cursor)) {
        // Collect the loop members and pick the first in list order.
        let best = cursor;
        let member = cursor.parent_id === null ? null : list.findTask(cursor.parent_id);
        while (member !== null && member !== cursor) {
          if ((position.get(member) ?? 0) < (position.get(best) ?? 0)) best = member;
          member = member.parent_id === null ? null : list.findTask(member.parent_id);
        }
        loopRoot = best;
      }
      roots.push(grow(loopRoot));
      if (!placed.has(task)) roots.push(grow(task));
    }
  }
  return roots;
}
