/**
 * Tasks as text for humans: one-line forms, the table, the summary line and the detail view.
 * Every value taken from a task is escaped (escape.ts), so stored text cannot drive the terminal.
 */
import { formatTaskStatus, type Task, type TaskList, type TaskStatus } from '../index.js';
import { claimView, describeClaim, nowTimestamp } from './claims.js';
import { escapeLines, escapeText } from './escape.js';
import { count, plural, STATUS_MARK, type Style } from './style.js';
import { isBlocked, openBlockers } from './task-state.js';

/** How many subtasks or dependencies a detail view names before it only counts the rest. */
export const DETAIL_ITEMS_SHOWN = 50;

/** `○ name (id) [not_started]`: a task on one line, unstyled (MCP texts). */
export function briefLine(task: Task): string {
  return `${STATUS_MARK[task.status]} ${escapeText(task.name)} (${escapeText(task.id)}) [${formatTaskStatus(task.status)}]`;
}

/** The names of the open or missing tasks `task` waits for, escaped. */
function waitingFor(list: TaskList, task: Task): string[] {
  return openBlockers(list, task).map((b) => (b.task === null ? `missing ${escapeText(b.id)}` : escapeText(b.task.name)));
}

/** `✓ name  id` plus annotations (agent, waiting, current). */
export function taskLine(task: Task, list: TaskList, style: Style): string {
  const mark = style.status(task.status, STATUS_MARK[task.status]);
  const parts = [`${mark} ${style.bold(escapeText(task.name))}`, style.dim(escapeText(task.id))];
  if (task.status === 'InProgress' && task.agent_id !== null) parts.push(style.dim(`@${escapeText(task.agent_id)}`));
  if (isBlocked(list, task.id)) parts.push(style.status('Blocked', `waits for: ${limited(waitingFor(list, task))}`));
  if (list.currentTaskId() === task.id) parts.push(style.bold('◀ current'));
  return parts.join('  ');
}

/** Up to {@link DETAIL_ITEMS_SHOWN} items joined by commas, then `… and N more`. */
function limited(items: string[]): string {
  if (items.length <= DETAIL_ITEMS_SHOWN) return items.join(', ');
  return `${items.slice(0, DETAIL_ITEMS_SHOWN).join(', ')}, … and ${count(items.length - DETAIL_ITEMS_SHOWN)} more`;
}

/** Counts per status, e.g. `5 tasks: 2 completed, 1 in_progress, 2 not_started`. */
export function summary(tasks: readonly Task[]): string {
  const counts = new Map<TaskStatus, number>();
  for (const t of tasks) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const order: TaskStatus[] = ['Completed', 'InProgress', 'Blocked', 'NotStarted', 'Cancelled'];
  const parts = order.filter((s) => counts.has(s)).map((s) => `${count(counts.get(s) ?? 0)} ${formatTaskStatus(s)}`);
  return `${plural(tasks.length, 'task')}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** `id  status  name` rows with aligned columns. */
export function renderTable(tasks: readonly Task[], style: Style): string {
  const ids = tasks.map((t) => escapeText(t.id));
  let idWidth = 2;
  for (const id of ids) idWidth = Math.max(idWidth, id.length);
  let statusWidth = 6;
  for (const t of tasks) statusWidth = Math.max(statusWidth, formatTaskStatus(t.status).length + 2);
  const header = style.dim(`${'ID'.padEnd(idWidth)}  ${'STATUS'.padEnd(statusWidth)}  NAME`);
  const rows = tasks.map((t, i) => {
    const status = `${STATUS_MARK[t.status]} ${formatTaskStatus(t.status)}`.padEnd(statusWidth);
    return `${(ids[i] as string).padEnd(idWidth)}  ${style.status(t.status, status)}  ${escapeText(t.name)}`;
  });
  return [header, ...rows].join('\n');
}

/** A task's fields for humans; a leased claim is judged at `now` (default: the current time). */
export function renderDetails(task: Task, list: TaskList, style: Style, now: string = nowTimestamp()): string {
  const name = (id: string | null): string => {
    if (id === null) return '-';
    const t = list.findTask(id);
    return t === null ? `${escapeText(id)} (missing)` : `${escapeText(t.name)} ${style.dim(`(${escapeText(id)})`)}`;
  };
  const children = list.childrenOf(task.id);
  const rows: [string, string][] = [
    ['id', escapeText(task.id)],
    ['name', style.bold(escapeText(task.name))],
    ['status', style.status(task.status, `${STATUS_MARK[task.status]} ${formatTaskStatus(task.status)}`)],
    ['parent', name(task.parent_id)],
  ];
  if (children.length > 0) {
    rows.push(['subtasks', limited(children.map((c) => `${STATUS_MARK[c.status]} ${escapeText(c.name)}`))]);
  }
  if ((task.blocked_by ?? []).length > 0) {
    const deps = (task.blocked_by ?? []).map((id) => {
      const t = list.findTask(id);
      return t === null ? `${escapeText(id)} (missing)` : `${STATUS_MARK[t.status]} ${escapeText(t.name)}`;
    });
    rows.push(['waits for', limited(deps)]);
  }
  rows.push(['source', task.source]);
  if (task.agent_id !== null) rows.push(['agent', escapeText(task.agent_id)]);
  const claim = claimView(task, now);
  if (claim !== null) rows.push(['claim', escapeText(describeClaim(claim))]);
  if (task.orchestrator_task_id !== null) rows.push(['orchestrator', escapeText(task.orchestrator_task_id)]);
  if (task.background_job != null) {
    const job = task.background_job;
    rows.push(['job', [job.status, job.job_id, job.message].filter(Boolean).map((v) => escapeText(String(v))).join(' · ')]);
  }
  rows.push(['created', escapeText(task.created_at)], ['updated', escapeText(task.updated_at)]);
  if (list.currentTaskId() === task.id) rows.push(['current', 'yes']);
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => `${style.dim(k.padEnd(width))}  ${v}`);
  if (task.description !== '') {
    out.push('', ...escapeLines(task.description).split('\n').map((l) => `  ${l}`));
  }
  return out.join('\n');
}
