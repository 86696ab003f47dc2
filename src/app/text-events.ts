/** Change events and status changes as lines of text (escaped). */
import { formatTaskStatus, type TaskChangeEvent } from '../index.js';
import { escapeText } from './escape.js';
import type { StatusChange } from './status-change.js';
import type { Style } from './style.js';

/** One change event as a line of text. */
export function describeEvent(event: TaskChangeEvent): string {
  const task = (t: { id: string; name: string }): string => `${escapeText(t.id)} '${escapeText(t.name)}'`;
  switch (event.type) {
    case 'created':
      return `created ${task(event.task)}`;
    case 'updated':
      return `updated ${task(event.task)}`;
    case 'status_changed':
      return `status ${task(event.task)}: ${formatTaskStatus(event.from)} → ${formatTaskStatus(event.to)}`;
    case 'deleted':
      return `deleted ${task(event.task)}`;
    case 'current_changed':
      return `current ${escapeText(event.from ?? '-')} → ${escapeText(event.to ?? '-')}`;
    case 'list_replaced':
      return `list replaced (${event.taskCount} tasks)`;
  }
}

/** `name: in_progress → completed  id`. */
export function describeStatusChange(change: StatusChange, style: Style): string {
  const { from, to, task } = change;
  return `${style.status(to, escapeText(task.name))}: ${formatTaskStatus(from)} → ${formatTaskStatus(to)}  ${style.dim(escapeText(task.id))}`;
}
