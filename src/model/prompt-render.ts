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
import { isOpenTask, type RuntimeSnapshot } from './runtime-snapshot.js';
import { sortSiblings } from './graph.js';
import { formatTaskStatus } from './status.js';
import { compareTimestamps } from '../schema/timestamp.js';
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
  #ceiling = Number.POSITIVE_INFINITY;

  constructor(
    readonly max: number,
    readonly count: TokenCounter,
  ) {}

  cost(line: string): number {
    return this.count(line) + (this.lines.length > 0 ? 1 : 0);
  }

  get left(): number {
    return Math.min(this.max, this.#ceiling) - this.#used;
  }

  /** Runs `fn` with at most `limit` more tokens available. */
  capped(limit: number, fn: () => void): void {
    const saved = this.#ceiling;
    this.#ceiling = this.#used + limit;
    try {
      fn();
    } finally {
      this.#ceiling = saved;
    }
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
  const counts: [number, string][] = [
    [s.in_progress_tasks.length, 'in progress'],
    [s.ready_tasks.length, 'ready'],
    [s.blocked_tasks.length, 'blocked'],
  ];
  const parts = [`${total} tasks`, ...counts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`), `${s.open_tasks.length} open`];
  if (s.completed_tasks.length > 0) parts.push(`${s.completed_tasks.length} completed`);
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

/** Outline group of a top task: its line, then up to 5 children (open first) with counts of what lies below. */
function outlineGroup(list: TaskList, top: Task): string[] {
  const children = sortSiblings(list.childrenOf(top.id));
  const openChildren = children.filter((c) => isOpenTask(c));
  const childInfo = children.length > 0 ? `, ${children.length} subtasks (${openChildren.length} open)` : '';
  const lines = [`- ${label(top)} [${formatTaskStatus(top.status)}]${childInfo}`];
  const shownChildren = openChildren.concat(children.filter((c) => !isOpenTask(c)));
  for (const child of shownChildren.slice(0, 5)) {
    const below = list.descendants(child.id);
    const open = below.filter((t) => isOpenTask(t)).length;
    const info = below.length > 0 ? `, ${below.length} below (${open} open)` : '';
    lines.push(`  - ${label(child)} [${formatTaskStatus(child.status)}]${info}`);
  }
  if (children.length > 5) lines.push(`  … ${children.length - 5} more subtasks`);
  return lines;
}

/** Adds the outline: top-level tasks (open first) two levels deep, as many groups as fit, then a count. */
function addOutline(budget: Budget, tops: readonly Task[], groupOf: (top: Task) => string[]): void {
  if (tops.length === 0) return;
  const header = 'Outline:';
  const tail = (rest: number): string => `… ${rest} more top-level tasks`;
  if (budget.cost(header) + budget.cost(tail(tops.length)) + 1 > budget.left) return;
  budget.add(header);
  let shown = 0;
  for (const top of tops) {
    const rest = tops.length - shown - 1;
    const reserve = rest > 0 ? budget.cost(tail(rest)) + 1 : 0;
    const [first, ...children] = groupOf(top);
    if (first === undefined || budget.cost(first) + reserve > budget.left) break;
    budget.add(first);
    for (const line of children) if (budget.cost(line) + reserve > budget.left || !budget.add(line)) break;
    shown++;
  }
  if (shown < tops.length) budget.add(tail(tops.length - shown));
}

/** Most items a section considers (the rest only counts in its `… N more` line). */
const SECTION_ITEMS = 200;

/** A part of the text that competes for the budget: its weight, what it would use in full, and how to add it. */
interface Section {
  readonly weight: number;
  /** Tokens to show everything it would show. */
  readonly demand: number;
  /** Tokens to show anything useful (header and first item); 0 when empty. */
  readonly minimum: number;
  render(): void;
}

const EMPTY_SECTION = (weight: number): Section => ({ weight, demand: 0, minimum: 0, render: () => undefined });

function listSection(budget: Budget, weight: number, header: string, items: readonly string[], total: number): Section {
  if (total === 0 || items.length === 0) return EMPTY_SECTION(weight);
  const tailOf = (rest: number): number => (rest > 0 ? budget.count(`  … ${rest} more`) + 2 : 0);
  const head = budget.count(header) + 1;
  const demand = head + items.reduce((sum, line) => sum + budget.count(line) + 1, 0) + tailOf(total - items.length);
  const minimum = head + budget.count(items[0] as string) + 1 + tailOf(total - 1);
  return { weight, demand, minimum, render: () => budget.section(header, items, total) };
}

function doneSection(budget: Budget, s: RuntimeSnapshot): Section {
  if (s.completed_tasks.length + s.cancelled_tasks.length === 0) return EMPTY_SECTION(1);
  const recent = [...s.completed_tasks].sort(byRecentUpdate).slice(0, RECENT_NAMES).map(label);
  const cancelled = s.cancelled_tasks.length > 0 ? `, ${s.cancelled_tasks.length} cancelled` : '';
  const short = `Done: ${s.completed_tasks.length} completed${cancelled}.`;
  const long = recent.length > 0 ? `${short.slice(0, -1)}; latest ${recent.join(', ')}.` : short;
  return {
    weight: 1,
    demand: budget.count(long) + 1,
    minimum: budget.count(short) + 1,
    render: () => {
      if (!budget.add(long)) budget.add(short);
    },
  };
}

function outlineSection(budget: Budget, list: TaskList, tops: readonly Task[]): Section {
  if (tops.length === 0) return EMPTY_SECTION(2);
  const groups = new Map<Task, string[]>();
  const groupOf = (top: Task): string[] => {
    let lines = groups.get(top);
    if (lines === undefined) {
      lines = outlineGroup(list, top);
      groups.set(top, lines);
    }
    return lines;
  };
  const head = budget.count('Outline:') + 1;
  const tailOf = (rest: number): number => (rest > 0 ? budget.count(`… ${rest} more top-level tasks`) + 2 : 0);
  // Groups are only measured until they exceed what could ever be shown.
  let demand = head;
  let measured = 0;
  for (const top of tops) {
    if (demand > budget.left) break;
    for (const line of groupOf(top)) demand += budget.count(line) + 1;
    measured++;
  }
  // Room for the `… N more` line that addOutline keeps in reserve while it adds groups.
  demand += tailOf(Math.max(tops.length - measured, tops.length > 1 ? tops.length : 0));
  const minimum = head + budget.count(groupOf(tops[0] as Task)[0] as string) + 1 + tailOf(tops.length - 1);
  return { weight: 2, demand, minimum, render: () => addOutline(budget, tops, groupOf) };
}

/**
 * Splits `available` tokens among sections: first, in order, each section's minimum while it fits
 * (so the most useful sections show something); then the rest by weight, never giving a section
 * more than it asks for (weighted max-min fair shares).
 */
function shareBudget(available: number, sections: readonly Section[]): number[] {
  const caps = sections.map(() => 0);
  let left = available;
  sections.forEach((section, i) => {
    if (section.minimum > 0 && section.minimum <= left) {
      caps[i] = section.minimum;
      left -= section.minimum;
    }
  });
  let open = sections.map((_, i) => i).filter((i) => (caps[i] as number) > 0 && (sections[i] as Section).demand > (caps[i] as number));
  while (open.length > 0 && left > 0) {
    const weights = open.reduce((sum, i) => sum + (sections[i] as Section).weight, 0);
    const want = (i: number): number => (sections[i] as Section).demand - (caps[i] as number);
    const share = (i: number): number => Math.floor((left * (sections[i] as Section).weight) / weights);
    const satisfied = open.filter((i) => want(i) <= share(i));
    if (satisfied.length === 0) {
      const shares = open.map(share);
      open.forEach((i, k) => {
        caps[i] = (caps[i] as number) + (shares[k] as number);
      });
      break;
    }
    for (const i of satisfied) {
      left -= want(i);
      caps[i] = (sections[i] as Section).demand;
    }
    open = open.filter((i) => !satisfied.includes(i));
  }
  return caps;
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
  const given = options.countTokens ?? estimateTokens;
  if (typeof given !== 'function') throw new InvalidInputError('countTokens must be a function');
  const count: TokenCounter = (text) => {
    const n = given(text);
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
      throw new InvalidInputError(`countTokens must return a non-negative number, got ${String(n)}`);
    }
    return n;
  };
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
    for (const ancestor of pathOf(list, focus)) shown.add(ancestor.id);
    const openChildren = sortSiblings(list.childrenOf(focus.id)).filter((c) => isOpenTask(c));
    // At most a third of what is left, so the ready queue and the rest still get their share.
    budget.capped(Math.floor(budget.left / 3), () =>
      budget.section('  Open subtasks:', openChildren.slice(0, 50).map((t) => `  ${item(t)}`), openChildren.length),
    );
    for (const c of openChildren) shown.add(c.id);
  } else if (s.open_tasks.length > 0) {
    budget.add('Current task: none.');
  }

  const fresh = (tasks: readonly Task[]): Task[] => tasks.filter((t) => !shown.has(t.id));
  const parallel = new Set(s.parallel_ready_tasks.map((t) => t.id));
  const inProgress = fresh(s.in_progress_tasks).sort(byRecentUpdate);
  for (const t of inProgress) shown.add(t.id);
  const ready = fresh(s.ready_tasks);
  const blocked = s.blocked_tasks.filter((b) => b.task.id !== focus?.id);
  const gaps = s.missing_requirements.filter((m) => m.task.id !== focus?.id);
  const tops = s.root_id !== null ? [list.getTask(s.root_id)] : list.rootTasks().concat(orphans(list));
  const orderedTops = tops.filter((t) => isOpenTask(t)).concat(tops.filter((t) => !isOpenTask(t)));

  const sections: Section[] = [
    listSection(budget, 3, 'In progress:', inProgress.slice(0, SECTION_ITEMS).map(item), inProgress.length),
    listSection(
      budget,
      4,
      'Ready next:',
      ready.slice(0, SECTION_ITEMS).map((t) => `${item(t)}${parallel.has(t.id) ? ' parallel-safe' : ''}`),
      ready.length,
    ),
    listSection(budget, 3, 'Blocked:', blocked.slice(0, SECTION_ITEMS).map((b) => `${item(b.task)}: ${blockReason(b)}`), blocked.length),
    listSection(
      budget,
      2,
      'Lacking verification evidence:',
      gaps.slice(0, SECTION_ITEMS).map((m) => `- ${label(m.task)} (ID: ${m.task.id}): ${m.missing.join(', ')}`),
      gaps.length,
    ),
    doneSection(budget, s),
    outlineSection(budget, list, orderedTops),
  ];
  // Shares are recomputed before each section, so what one leaves unused goes to the next ones.
  sections.forEach((section, i) => {
    const caps = shareBudget(budget.left, sections.slice(i));
    budget.capped(caps[0] ?? 0, () => section.render());
  });

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
