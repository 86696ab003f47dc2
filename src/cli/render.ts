/**
 * Text rendering shared by the CLI and the MCP server: status marks, the unicode tree, task lines
 * and detail views. Colour is opt-in (the caller decides: a TTY without NO_COLOR).
 */
import { formatTaskStatus, isTerminal, type Task, type TaskChangeEvent, type TaskList, type TaskStatus, type TaskTreeNode } from '../index.js';

/** ANSI styling, or none. */
export interface Style {
  readonly enabled: boolean;
  status(status: TaskStatus, text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  gray: '\u001b[90m',
} as const;

const STATUS_COLOR: Record<TaskStatus, string> = {
  NotStarted: ANSI.cyan,
  InProgress: ANSI.yellow,
  Blocked: ANSI.red,
  Completed: ANSI.green,
  Cancelled: ANSI.gray,
};

/** One-character marks per status. */
export const STATUS_MARK: Record<TaskStatus, string> = {
  NotStarted: '○',
  InProgress: '◐',
  Blocked: '⊘',
  Completed: '✓',
  Cancelled: '✗',
};

/** Plain text, no escapes. */
export const plainStyle: Style = {
  enabled: false,
  status: (_s, text) => text,
  dim: (text) => text,
  bold: (text) => text,
};

/** ANSI colours. */
export const colorStyle: Style = {
  enabled: true,
  status: (s, text) => `${STATUS_COLOR[s]}${text}${ANSI.reset}`,
  dim: (text) => `${ANSI.dim}${text}${ANSI.reset}`,
  bold: (text) => `${ANSI.bold}${text}${ANSI.reset}`,
};

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function pickStyle(isTTY: boolean | undefined, env: Record<string, string | undefined>): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return isTTY === true && !noColor ? colorStyle : plainStyle;
}

/** The names of the open (or missing) tasks `task` waits for. */
export function openBlockers(list: TaskList, task: Task): string[] {
  return (task.blocked_by ?? [])
    .map((id) => list.findTask(id))
    .map((t, i) => (t === null ? `missing ${task.blocked_by?.[i] ?? ''}` : isTerminal(t) ? null : t.name))
    .filter((n): n is string => n !== null);
}

/** `✓ name  id` plus annotations (agent, waiting, current). */
export function taskLine(task: Task, list: TaskList, style: Style): string {
  const mark = style.status(task.status, STATUS_MARK[task.status]);
  const parts = [`${mark} ${style.bold(task.name)}`, style.dim(task.id)];
  if (task.status === 'InProgress' && task.agent_id !== null) parts.push(style.dim(`@${task.agent_id}`));
  const waits = openBlockers(list, task);
  if (waits.length > 0) parts.push(style.status('Blocked', `waits for: ${waits.join(', ')}`));
  if (list.currentTaskId() === task.id) parts.push(style.bold('◀ current'));
  return parts.join('  ');
}

/** The forest as a unicode tree (`├──`, `└──`, `│`), one task per line. */
export function renderTree(tree: readonly TaskTreeNode[], list: TaskList, style: Style): string {
  const lines: string[] = [];
  // Iterative, so very deep chains cannot overflow the stack.
  const stack: { node: TaskTreeNode; prefix: string; last: boolean; root: boolean }[] = [];
  for (let i = tree.length - 1; i >= 0; i--) stack.push({ node: tree[i] as TaskTreeNode, prefix: '', last: true, root: true });
  while (stack.length > 0) {
    const { node, prefix, last, root } = stack.pop() as (typeof stack)[number];
    const branch = root ? '' : last ? '└── ' : '├── ';
    lines.push(`${style.dim(prefix + branch)}${taskLine(node.task, list, style)}`);
    const childPrefix = root ? '' : prefix + (last ? '    ' : '│   ');
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ node: node.children[i] as TaskTreeNode, prefix: childPrefix, last: i === node.children.length - 1, root: false });
    }
  }
  return lines.join('\n');
}

/** Counts per status, e.g. `5 tasks: 2 completed, 1 in_progress, 2 not_started`. */
export function summary(tasks: readonly Task[]): string {
  const counts = new Map<TaskStatus, number>();
  for (const t of tasks) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const order: TaskStatus[] = ['Completed', 'InProgress', 'Blocked', 'NotStarted', 'Cancelled'];
  const parts = order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${formatTaskStatus(s)}`);
  return `${tasks.length} task${tasks.length === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** `id  status  name` rows with aligned columns. */
export function renderTable(tasks: readonly Task[], style: Style): string {
  const idWidth = Math.max(2, ...tasks.map((t) => t.id.length));
  const statusWidth = Math.max(6, ...tasks.map((t) => formatTaskStatus(t.status).length + 2));
  const header = style.dim(`${'ID'.padEnd(idWidth)}  ${'STATUS'.padEnd(statusWidth)}  NAME`);
  const rows = tasks.map((t) => {
    const status = `${STATUS_MARK[t.status]} ${formatTaskStatus(t.status)}`.padEnd(statusWidth);
    return `${t.id.padEnd(idWidth)}  ${style.status(t.status, status)}  ${t.name}`;
  });
  return [header, ...rows].join('\n');
}

/** A task's fields for humans. */
export function renderDetails(task: Task, list: TaskList, style: Style): string {
  const name = (id: string | null): string => {
    if (id === null) return '-';
    const t = list.findTask(id);
    return t === null ? `${id} (missing)` : `${t.name} ${style.dim(`(${id})`)}`;
  };
  const children = list.tasks.filter((t) => t.parent_id === task.id);
  const rows: [string, string][] = [
    ['id', task.id],
    ['name', style.bold(task.name)],
    ['status', style.status(task.status, `${STATUS_MARK[task.status]} ${formatTaskStatus(task.status)}`)],
    ['parent', name(task.parent_id)],
  ];
  if (children.length > 0) {
    rows.push(['subtasks', children.map((c) => `${STATUS_MARK[c.status]} ${c.name}`).join(', ')]);
  }
  if ((task.blocked_by ?? []).length > 0) {
    const deps = (task.blocked_by ?? []).map((id) => {
      const t = list.findTask(id);
      return t === null ? `${id} (missing)` : `${STATUS_MARK[t.status]} ${t.name}`;
    });
    rows.push(['waits for', deps.join(', ')]);
  }
  rows.push(['source', task.source]);
  if (task.agent_id !== null) rows.push(['agent', task.agent_id]);
  if (task.orchestrator_task_id !== null) rows.push(['orchestrator', task.orchestrator_task_id]);
  if (task.background_job !== undefined) {
    rows.push(['job', [task.background_job.status, task.background_job.job_id, task.background_job.message].filter(Boolean).join(' · ')]);
  }
  rows.push(['created', task.created_at], ['updated', task.updated_at]);
  if (list.currentTaskId() === task.id) rows.push(['current', 'yes']);
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => `${style.dim(k.padEnd(width))}  ${v}`);
  if (task.description !== '') {
    out.push('', ...task.description.split('\n').map((l) => `  ${l}`));
  }
  return out.join('\n');
}

/** One change event as a line of text. */
export function describeEvent(event: TaskChangeEvent): string {
  switch (event.type) {
    case 'created':
      return `created ${event.task.id} '${event.task.name}'`;
    case 'updated':
      return `updated ${event.task.id} '${event.task.name}'`;
    case 'status_changed':
      return `status ${event.task.id} '${event.task.name}': ${formatTaskStatus(event.from)} → ${formatTaskStatus(event.to)}`;
    case 'deleted':
      return `deleted ${event.task.id} '${event.task.name}'`;
    case 'current_changed':
      return `current ${event.from ?? '-'} → ${event.to ?? '-'}`;
    case 'list_replaced':
      return `list replaced (${event.taskCount} tasks)`;
  }
}
