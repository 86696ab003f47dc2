/** `tree`: the session as a bounded tree (or, with --json, the exact tree as compact JSON). */
import { escapeText } from '../../app/escape.js';
import { renderTreeView } from '../../app/text-tree.js';
import { summary } from '../../app/text-task.js';
import { writeTreeJson } from '../../app/tree-json.js';
import { DEFAULT_TREE_LIMITS, treeView, viewedForest } from '../../app/tree-view.js';
import type { Context } from '../context.js';
import { positiveInteger } from '../usage.js';

/** Options of `tree`. */
export interface TreeOptions {
  root?: string;
  depth?: string;
  width?: string;
  rows?: string;
  all?: boolean;
}

export default async function tree(ctx: Context, opts: TreeOptions): Promise<void> {
  const unbounded = opts.all === true ? Number.MAX_SAFE_INTEGER : undefined;
  const limits = {
    maxDepth: unbounded ?? (opts.depth === undefined ? DEFAULT_TREE_LIMITS.maxDepth : positiveInteger(opts.depth, '--depth')),
    maxChildren: unbounded ?? (opts.width === undefined ? DEFAULT_TREE_LIMITS.maxChildren : positiveInteger(opts.width, '--width')),
    maxRows: unbounded ?? (opts.rows === undefined ? DEFAULT_TREE_LIMITS.maxRows : positiveInteger(opts.rows, '--rows')),
  };
  const list = await ctx.manager.loadTaskList(ctx.session);
  if (ctx.json) {
    writeTreeJson(viewedForest(list, opts.root), (chunk) => ctx.io.stdout.write(chunk));
    ctx.io.stdout.write('\n');
    return;
  }
  const view = treeView(list, { rootId: opts.root, limits });
  if (view.total === 0) return ctx.out(`No tasks in session '${escapeText(ctx.session)}'.`);
  ctx.out(renderTreeView(view, list, ctx.style, (id) => `use --root ${id}`));
  ctx.out(ctx.style.dim(summary(list.tasks)));
}
