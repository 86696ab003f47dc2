/**
 * A bounded view of a session's task tree, shared by the CLI `tree` and the MCP `task_tree`: deep
 * levels, long sibling lists and everything past a row budget are left out and counted, so the
 * output stays small whatever the session holds (a 10,000-deep chain, 100,000 roots). Iterative
 * throughout; O(n) for n tasks (building the tree and counting what is left out), however much is
 * shown.
 */
import { InvalidInputError, TaskNotFoundError, type Task, type TaskList, type TaskTreeNode } from '../index.js';

/** How much of the tree a view shows. */
export interface TreeLimits {
  /** Levels shown below (and including) the top level. */
  readonly maxDepth: number;
  /** Children shown per parent (and roots shown), the rest counted. */
  readonly maxChildren: number;
  /** Rows (tasks and notes) in all; past it, the rest is counted in one note. */
  readonly maxRows: number;
  /** Optional budget in bytes, spent by {@link TreeViewOptions.cost} per task row. */
  readonly maxBytes?: number;
}

/** Defaults for a terminal. */
export const DEFAULT_TREE_LIMITS: TreeLimits = { maxDepth: 30, maxChildren: 100, maxRows: 2000 };

/** Options of {@link treeView}. */
export interface TreeViewOptions {
  /** Show only this task and what is below it. */
  readonly rootId?: string | null | undefined;
  readonly limits?: Partial<TreeLimits>;
  /** Bytes a task row costs against `maxBytes`. */
  readonly cost?: (task: Task) => number;
}

/** One row of the view, in depth-first order. `guide` is the tree drawing before the row. */
export type TreeRow =
  | { readonly kind: 'task'; readonly task: Task; readonly depth: number; readonly guide: string }
  /** The subtasks of `parent` sit deeper than the view goes: `levels` more levels, `tasks` tasks. */
  | { readonly kind: 'more_levels'; readonly parent: Task; readonly depth: number; readonly guide: string; readonly levels: number; readonly tasks: number }
  /** `siblings` more children of `parentId` (null: roots) with `tasks` tasks in their subtrees. */
  | { readonly kind: 'more_children'; readonly parentId: string | null; readonly depth: number; readonly guide: string; readonly siblings: number; readonly tasks: number };

/** The rows shown and the counts of what is not. */
export interface TreeView {
  readonly rows: TreeRow[];
  /** Tasks in the viewed tree (the whole session, or the subtree under `rootId`). */
  readonly total: number;
  /** Task rows shown. */
  readonly shown: number;
  /** Tasks neither shown nor counted in a note, because the row or byte budget ran out. */
  readonly cutOff: number;
  /** True when anything was left out (elided levels, siblings, or cut off). */
  readonly truncated: boolean;
}

function checkLimit(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidInputError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/** Size and height (levels below `node`, excluding it) of the subtree under `node`. O(size). */
function measure(node: TaskTreeNode): { tasks: number; levels: number } {
  let tasks = 0;
  let levels = 0;
  const stack: [TaskTreeNode, number][] = [[node, 0]];
  while (stack.length > 0) {
    const [n, d] = stack.pop() as [TaskTreeNode, number];
    if (d > 0) tasks++;
    if (d > levels) levels = d;
    for (const child of n.children) stack.push([child, d + 1]);
  }
  return { tasks, levels };
}

/** The node of task `id` in the forest, or null. O(n). */
function findNode(forest: readonly TaskTreeNode[], id: string): TaskTreeNode | null {
  const stack = [...forest];
  while (stack.length > 0) {
    const node = stack.pop() as TaskTreeNode;
    if (node.task.id === id) return node;
    for (const child of node.children) stack.push(child);
  }
  return null;
}

/** The forest to view: the whole tree, or the subtree of `rootId` (TaskNotFoundError if missing). */
export function viewedForest(list: TaskList, rootId: string | null | undefined): TaskTreeNode[] {
  const forest = list.buildTree();
  if (rootId === undefined || rootId === null) return forest;
  const node = findNode(forest, rootId);
  if (node === null) throw new TaskNotFoundError(rootId);
  return [node];
}

/** Builds the bounded view of `list` (or of the subtree under `options.rootId`). */
export function treeView(list: TaskList, options: TreeViewOptions = {}): TreeView {
  const limits = { ...DEFAULT_TREE_LIMITS, ...options.limits };
  const maxDepth = checkLimit(limits.maxDepth, 'depth');
  const maxChildren = checkLimit(limits.maxChildren, 'children per parent');
  const maxRows = checkLimit(limits.maxRows, 'rows');
  const forest = viewedForest(list, options.rootId);
  let total = 0;
  for (const root of forest) total += 1 + measure(root).tasks;

  const rows: TreeRow[] = [];
  let shown = 0;
  let counted = 0;
  let bytes = 0;
  let stopped = false;

  type Item =
    | { node: TaskTreeNode; depth: number; guide: string; childGuide: string }
    | { note: TreeRow & { tasks: number }; siblingsTasks: number };
  const stack: Item[] = [];
  const pushLevel = (nodes: readonly TaskTreeNode[], parentId: string | null, depth: number, guide: string, top: boolean): void => {
    const visible = Math.min(nodes.length, maxChildren);
    const hidden = nodes.length - visible;
    if (hidden > 0) {
      let tasks = 0;
      for (let i = visible; i < nodes.length; i++) tasks += 1 + measure(nodes[i] as TaskTreeNode).tasks;
      stack.push({ note: { kind: 'more_children', parentId, depth, guide: top ? '' : `${guide}└── `, siblings: hidden, tasks }, siblingsTasks: tasks });
    }
    for (let i = visible - 1; i >= 0; i--) {
      const last = i === nodes.length - 1;
      const node = nodes[i] as TaskTreeNode;
      if (top) stack.push({ node, depth, guide: '', childGuide: '' });
      else stack.push({ node, depth, guide: `${guide}${last ? '└── ' : '├── '}`, childGuide: `${guide}${last ? '    ' : '│   '}` });
    }
  };
  pushLevel(forest, null, 0, '', true);

  while (stack.length > 0) {
    const item = stack.pop() as Item;
    if (rows.length >= maxRows || (limits.maxBytes !== undefined && bytes >= limits.maxBytes)) {
      stopped = true;
      break;
    }
    if ('note' in item) {
      rows.push(item.note);
      counted += item.siblingsTasks;
      continue;
    }
    const { node, depth } = item;
    rows.push({ kind: 'task', task: node.task, depth, guide: item.guide });
    shown++;
    if (options.cost !== undefined) bytes += options.cost(node.task);
    if (node.children.length === 0) continue;
    if (depth + 1 >= maxDepth) {
      const { tasks, levels } = measure(node);
      const guide = `${item.childGuide}└── `;
      rows.push({ kind: 'more_levels', parent: node.task, depth: depth + 1, guide, levels, tasks });
      counted += tasks;
      continue;
    }
    pushLevel(node.children, node.task.id, depth + 1, item.childGuide, false);
  }
  const cutOff = stopped ? total - shown - counted : 0;
  return { rows, total, shown, cutOff, truncated: shown < total };
}
