/**
 * A session's tasks as compact text for a model's context (for instance after the context was
 * compacted), within a token budget. Most useful first: a one-line summary, the current (or
 * focused) task with its path and what it lacks, other work in progress, the ready queue, blocked
 * tasks with their reasons, tasks lacking verification evidence, finished work collapsed into
 * counts, and an outline two levels deep with deeper levels elided into counts. Each section is
 * cut to what fits, with a `… N more` line. Pure.
 */
import { InvalidInputError } from '../errors.js';
import type { Task } from '../schema/task.js';
import type { RuntimeSnapshot } from './runtime-snapshot.js';
import { formatTaskStatus, isTerminal } from './status.js';
import { compareTimestamps } from './timestamps.js';
import type { TaskList } from './task-list.js';
import { estimateTokens, type TokenCounter } from './token-estimate.js';

/** Options of {@link renderSnapshotForPrompt}. */
export interface RenderForPromptOptions {
  /** The budget: the text never counts more than this (a non-negative integer). */
  readonly maxTokens: number;
  /** Show this task first instead of the current task (with its path and open subtasks). */
  readonly focus?: string | null;
  /** How to count tokens. Default: the conservative {@link estimateTokens}. */
  readonly countTokens?: TokenCounter;
}

const NAME_CHARS = 60;
const DESCRIPTION_CHARS = 160;
const RECENT_NAMES = 3;

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

const label = (task: Task): string => `'${clip(task.name, NAME_CHARS)}'`;
const item = (task: Task): string => `- ${label(task)} [${formatTaskStatus(task.status)}] (ID: ${task.id})`;

/** Accumulates lines while they fit the budget, counting each line plus its line break. */
class Budget {
  readonly lines: string[] = [];
  #used = 0;

  constructor(
    readonly max: number,
    readonly count: TokenCounter,
  ) {}

  cost(line: string): number {
    return this.count(line) + (this.lines.length > 0 ? 1 : 0);
  }

  get left(): number {
    return this.max - this.#used;
  }

  /** Adds `line` if it fits; false when it does not. */
  add(line: string): boolean {
    const cost = this.cost(line);
    if (cost > this.left) return false;
    this.lines.push(line);
    this.#used += cost;
    return true;
  }

  /**
   * Adds a section: `header` then as many `items` as fit, then `… N more` for the rest (or, when
   * not even the header and one item fit, a one-line count). `total` may exceed `items.length`
   * when the caller only built the first items.
   */
  section(header: string, items: readonly string[], total: number = items.length, more = 'more'): void {
    if (total === 0) return;
    const mark = this.lines.length;
    const used = this.#used;
    if (!this.add(header)) return;
    let shown = 0;
    for (const line of items) {
      const rest = total - shown - 1;
      const tail = rest > 0 ? this.cost(`  … ${rest} ${more}`) + 1 : 0;
      if (this.cost(line) + tail > this.left) break;
      this.add(line);
      shown++;
    }
    if (shown === 0) {
      this.lines.length = mark;
      this.#used = used;
      return;
    }
    if (shown < total) this.add(`  … ${total - shown} ${more}`);
  }
}

/** The task's ancestors, root first (stops at a missing parent or a loop). */
function pathOf(list: TaskList, task: Task): Task[] {
  const out: Task[] = [];
  const seen = new Set<string>([task.id]);
  let parentId = task.parent_id;
  while (parentId !== null && !seen.has(parentId)) {
    seen.add(parentId);
    const parent = list.findTask(parentId);
    if (parent === null) break;
    out.unshift(parent);
    parentId = parent.parent_id;
  }
  return out;
}

function countLine(s: RuntimeSnapshot, total: number): string {
  const parts = [
    `${total} tasks`,
    `${s.in_progress_tasks.length} in progress`,
    `${s.ready_tasks.length} ready`,
    `${s.blocked_tasks.length} blocked`,
    `${s.open_tasks.length} open`,
    `${s.completed_tasks.length} completed`,
  ];
  if (s.cancelled_tasks.length > 0) parts.push(`${s.cancelled_tasks.length} cancelled`);
  return parts.join(', ');
}

function summaryLine(list: TaskList, s: RuntimeSnapshot, total: number): string {
  const scope = s.root_id === null ? `session ${list.sessionId}` : `${label(list.getTask(s.root_id))} (ID: ${s.root_id})`;
  if (total === 0) return `Tasks of ${scope}: none.`;
  return `Tasks of ${scope}: ${countLine(s, total)}.`;
}

/** Lines about one task: itself, its path, description, and what holds it back. */
function focusLines(list: TaskList, s: RuntimeSnapshot, task: Task, heading: string): string[] {
  const lines = [`${heading}: ${label(task)} [${formatTaskStatus(task.status)}] (ID: ${task.id})`];
  const path = pathOf(list, task);
  if (path.length > 0) lines.push(`  Path: ${[...path.map((t) => clip(t.name, 40)), clip(task.name, 40)].join(' > ')}`);
  if (task.description.trim() !== '') lines.push(`  About: ${clip(task.description, DESCRIPTION_CHARS)}`);
  const blocked = s.blocked_tasks.find((b) => b.task.id === task.id);
  if (blocked !== undefined) lines.push(`  Held by: ${blockReason(blocked)}`);
  const gaps = s.missing_requirements.find((m) => m.task.id === task.id);
  if (gaps !== undefined) lines.push(`  Still needs evidence of: ${gaps.missing.join(', ')}`);
  return lines;
}

function blockReason(b: RuntimeSnapshot['blocked_tasks'][number]): string {
  const parts: string[] = [];
  if (b.waiting_for.length > 0) {
    const names = b.waiting_for.slice(0, 2).map((r) => (r.name === null ? `missing task ${r.id}` : `'${clip(r.name, 40)}'`));
    const more = b.waiting_for.length > 2 ? ` +${b.waiting_for.length - 2}` : '';
    parts.push(`waits for ${names.join(', ')}${more}`);
  }
  if (b.open_subtasks.length > 0) parts.push(`${b.open_subtasks.length} open subtasks`);
  if (b.job !== null) parts.push(`background job ${b.job.status}`);
  if (parts.length === 0) parts.push('marked blocked');
  return parts.join('; ');
}

function byRecentUpdate(a: Task, b: Task): number {
  return compareTimestamps(b.updated_at, a.updated_at);
}

/** Outline group of a top task: its line, then its open children with counts of what lies below. */
function outlineGroup(list: TaskList, top: Task): string[] {
  const children = list.sortedChildren(top.id);
  const openChildren = children.filter((c) => !isTerminal(c));
  const childInfo = children.length > 0 ? `, ${children.length} subtasks (${openChildren.length} open)` : '';
  const lines = [`- ${label(top)} [${formatTaskStatus(top.status)}]${childInfo}`];
  for (const child of openChildren.slice(0, 5)) {
    const below = list.descendants(child.id);
    const open = below.filter((t) => !isTerminal(t)).length;
    const info = below.length > 0 ? `, ${below.length} below (${open} open)` : '';
    lines.push(`  - ${label(child)} [${formatTaskStatus(child.status)}]${info}`);
  }
  if (openChildren.length > 5) lines.push(`  … ${openChildren.length - 5} more open subtasks`);
  return lines;
}

/** Adds the outline: open top-level tasks two levels deep, as many groups as fit, then a count. */
function addOutline(budget: Budget, list: TaskList, tops: readonly Task[]): void {
  if (tops.length === 0) return;
  const header = 'Outline (open top-level tasks):';
  const tail = (rest: number): string => `… ${rest} more open top-level tasks`;
  if (budget.cost(header) + budget.cost(tail(tops.length)) + 1 > budget.left) return;
  budget.add(header);
  let shown = 0;
  for (const top of tops) {
    const rest = tops.length - shown - 1;
    const reserve = rest > 0 ? budget.cost(tail(rest)) + 1 : 0;
    const [first, ...children] = outlineGroup(list, top);
    if (first === undefined || budget.cost(first) + reserve > budget.left) break;
    budget.add(first);
    for (const line of children) if (budget.cost(line) + reserve > budget.left || !budget.add(line)) break;
    shown++;
  }
  if (shown < tops.length) budget.add(tail(tops.length - shown));
}

/**
 * Renders `snapshot` (of `list`) within `options.maxTokens` as counted by `options.countTokens`
 * (default {@link estimateTokens}): the sum of the counts of the lines plus one per line break,
 * and, as a final check, the count of the whole text, both at most `maxTokens`. The empty string
 * when not even a shortened summary fits. O(n) plus the outline's descendant walks (bounded by the
 * lines that fit).
 */
export function renderSnapshotForPrompt(list: TaskList, snapshot: RuntimeSnapshot, options: RenderForPromptOptions): string {
  const max = options.maxTokens;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) {
    throw new InvalidInputError(`maxTokens must be a non-negative integer, got ${String(max)}`);
  }
  const count = options.countTokens ?? estimateTokens;
  if (typeof count !== 'function') throw new InvalidInputError('countTokens must be a function');
  const s = snapshot;
  const budget = new Budget(max, count);
  const total = s.open_tasks.length + s.completed_tasks.length + s.cancelled_tasks.length;

  const summary = summaryLine(list, s, total);
  if (!budget.add(summary)) {
    for (let n = summary.length - 1; n > 0; n--) if (budget.add(`${summary.slice(0, n)}…`)) break;
    return budget.lines.join('\n');
  }
  if (total === 0) return budget.lines.join('\n');

  const shown = new Set<string>();
  const focusId = options.focus ?? null;
  const focus = focusId !== null ? list.getTask(focusId) : s.current_task;
  if (focus !== null) {
    const lines = focusLines(list, s, focus, focusId !== null ? 'Focus' : 'Current task');
    for (const line of lines) if (!budget.add(line)) break;
    shown.add(focus.id);
    const openChildren = list.sortedChildren(focus.id).filter((c) => !isTerminal(c));
    budget.section('  Open subtasks:', openChildren.slice(0, 50).map((t) => `  ${item(t)}`), openChildren.length);
    for (const c of openChildren) shown.add(c.id);
  } else if (s.open_tasks.length > 0) {
    budget.add('Current task: none.');
  }

  const fresh = (tasks: readonly Task[]): Task[] => tasks.filter((t) => !shown.has(t.id));
  const parallel = new Set(s.parallel_ready_tasks.map((t) => t.id));

  const inProgress = fresh(s.in_progress_tasks).sort(byRecentUpdate);
  budget.section('In progress:', inProgress.slice(0, 200).map(item), inProgress.length);
  for (const t of inProgress) shown.add(t.id);

  const ready = fresh(s.ready_tasks);
  budget.section(
    'Ready next:',
    ready.slice(0, 200).map((t) => `${item(t)}${parallel.has(t.id) ? ' parallel-safe' : ''}`),
    ready.length,
  );

  const blocked = s.blocked_tasks.filter((b) => b.task.id !== focus?.id);
  budget.section(
    'Blocked:',
    blocked.slice(0, 200).map((b) => `${item(b.task)}: ${blockReason(b)}`),
    blocked.length,
  );

  const gaps = s.missing_requirements.filter((m) => m.task.id !== focus?.id);
  budget.section(
    'Lacking verification evidence:',
    gaps.slice(0, 200).map((m) => `- ${label(m.task)} (ID: ${m.task.id}): ${m.missing.join(', ')}`),
    gaps.length,
  );

  const finished = s.completed_tasks.length + s.cancelled_tasks.length;
  if (finished > 0) {
    const recent = [...s.completed_tasks].sort(byRecentUpdate).slice(0, RECENT_NAMES).map(label);
    const cancelled = s.cancelled_tasks.length > 0 ? `, ${s.cancelled_tasks.length} cancelled` : '';
    const latest = `Done: ${s.completed_tasks.length} completed${cancelled}`;
    if (!(recent.length > 0 && budget.add(`${latest}; latest ${recent.join(', ')}.`))) budget.add(`${latest}.`);
  }

  const tops = s.root_id !== null ? [list.getTask(s.root_id)] : list.rootTasks().concat(orphans(list));
  const openTops = tops.filter((t) => !isTerminal(t));
  addOutline(budget, list, openTops);

  // A counter that is not additive over lines may count the joined text higher: drop lines until it fits.
  let text = budget.lines.join('\n');
  while (budget.lines.length > 0 && count(text) > max) {
    budget.lines.pop();
    text = budget.lines.join('\n');
  }
  return text;
}

/** Tasks whose parent is missing from the list (shown as roots by trees). */
function orphans(list: TaskList): Task[] {
  return list.tasks.filter((t) => t.parent_id !== null && !list.hasTask(t.parent_id));
}
