/** How statuses, times and requirements are shown. Display only: no rule is decided here. */
import type { StatusName } from '../protocol.js';

/** Mark, label and CSS class of each status (the CLI's marks). */
export const STATUS: Record<StatusName, { readonly mark: string; readonly label: string; readonly cls: string }> = {
  NotStarted: { mark: '○', label: 'not started', cls: 'st-not-started' },
  Blocked: { mark: '⊘', label: 'blocked', cls: 'st-blocked' },
  InProgress: { mark: '◐', label: 'in progress', cls: 'st-in-progress' },
  Completed: { mark: '●', label: 'completed', cls: 'st-completed' },
  Cancelled: { mark: '✕', label: 'cancelled', cls: 'st-cancelled' },
};

/** The statuses in display order. */
export const STATUS_ORDER: readonly StatusName[] = ['InProgress', 'Blocked', 'NotStarted', 'Completed', 'Cancelled'];

/** The values the status control offers (the library's display names). */
export const STATUS_CHOICES: readonly [StatusName, string][] = [
  ['NotStarted', 'not_started'],
  ['InProgress', 'in_progress'],
  ['Blocked', 'blocked'],
  ['Completed', 'completed'],
  ['Cancelled', 'cancelled'],
];

/** "3 s ago", "5 min ago", "2 h ago", else the date. */
export function ago(iso: string | null, now = Date.now()): string {
  if (iso === null) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** A stored timestamp as local date and time, to the second. */
export function when(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `requires_external_evidence` → `external evidence`. */
export function requirementLabel(key: string): string {
  return key.replace(/^requires_/, '').replaceAll('_', ' ');
}

/** "1 task", "10000 tasks". */
export function taskCount(n: number): string {
  return `${n} ${n === 1 ? 'task' : 'tasks'}`;
}
