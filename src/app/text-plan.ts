/** A plan import as text: what was (or would be) created and reused. */
import type { Task } from '../index.js';
import { escapeText } from './escape.js';
import type { PlanImportResult } from './plan-import.js';
import { count, plural } from './style.js';

/** Levels of indentation shown; deeper tasks carry their depth instead, so lines stay short. */
const MAX_INDENT = 20;

/**
 * Lines like `+ Name  (new)` / `= Name  (reused <id>)`, indented by depth inside the plan, at most
 * `maxLines` of them (then a count), and a summary line. O(tasks).
 */
export function renderPlanImport(result: PlanImportResult, maxLines = Number.POSITIVE_INFINITY): string {
  const byId = new Map(result.tasks.map((t) => [t.id, t]));
  const created = new Set(result.created.map((t) => t.id));
  // Depth inside the plan, memoised: tasks come after their parents, so one pass suffices.
  const depths = new Map<string, number>();
  const depth = (task: Task): number => {
    const parent = task.parent_id === null ? undefined : byId.get(task.parent_id);
    const d = parent === undefined || parent === task ? 0 : (depths.get(parent.id) ?? 0) + 1;
    depths.set(task.id, d);
    return d;
  };
  const lines: string[] = [];
  result.tasks.forEach((t, i) => {
    const d = depth(t);
    if (i >= maxLines) return;
    const indent = d <= MAX_INDENT ? '  '.repeat(d) : `${'  '.repeat(MAX_INDENT)}[level ${count(d)}] `;
    const name = escapeText(t.name);
    lines.push(created.has(t.id) ? `${indent}+ ${name}  (new)` : `${indent}= ${name}  (reused ${escapeText(t.id)})`);
  });
  if (result.tasks.length > maxLines) lines.push(`… ${plural(result.tasks.length - maxLines, 'more task')} (see the JSON result)`);
  const verb = result.dry_run ? 'Would create' : 'Created';
  const reuse = result.dry_run ? 'reuse' : 'reused';
  const tail = result.dry_run ? '; nothing written (dry run)' : '';
  lines.push(`${verb} ${plural(result.created.length, 'task')}, ${reuse} ${count(result.reused.length)}${tail}.`);
  return lines.join('\n');
}
