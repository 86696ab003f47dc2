/** A {@link TreeView} as unicode tree text (`├──`, `└──`, `│`), one row per line. */
import type { TaskList } from '../index.js';
import { escapeText } from './escape.js';
import { count, plural, type Style } from './style.js';
import { taskLine } from './text-task.js';
import type { TreeView } from './tree-view.js';

/**
 * The rows of `view`, then (when something was cut off by the row budget) a note saying how many
 * tasks are not shown. `drillHint` says how to see a subtree (`--root` in the CLI, `root_id` in MCP).
 */
export function renderTreeView(view: TreeView, list: TaskList, style: Style, drillHint: (id: string) => string): string {
  const lines: string[] = [];
  for (const row of view.rows) {
    switch (row.kind) {
      case 'task':
        lines.push(`${style.dim(row.guide)}${taskLine(row.task, list, style)}`);
        break;
      case 'more_levels':
        lines.push(
          style.dim(
            `${row.guide}… ${plural(row.levels, 'more level')}, ${plural(row.tasks, 'task')} (${drillHint(escapeText(row.parent.id))})`,
          ),
        );
        break;
      case 'more_children': {
        const what = row.parentId === null ? 'more top-level task' : 'more subtask';
        const hint = row.parentId === null ? '' : ` (${drillHint(escapeText(row.parentId))})`;
        const inAll = row.tasks > row.siblings ? `, ${plural(row.tasks, 'task')} in all` : '';
        lines.push(style.dim(`${row.guide}… ${count(row.siblings)} ${row.siblings === 1 ? what : `${what}s`}${inAll}${hint}`));
        break;
      }
    }
  }
  if (view.cutOff > 0) lines.push(style.dim(`… ${plural(view.cutOff, 'more task')} not shown (${drillHint('<id>')} for a part)`));
  return lines.join('\n');
}
