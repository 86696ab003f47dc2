/** Measuring and cutting output so that no single answer grows with the session without bound. */
import { plural } from './style.js';

/** Length of `value` as JSON text, or Infinity when it cannot be written (too deep, a cycle). */
export function jsonSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** `text` cut to at most about `max` characters, with a note saying how much was left out. */
export function truncateText(text: string, max: number, hint = ''): string {
  if (text.length <= max) return text;
  const kept = text.slice(0, max).toWellFormed();
  return `${kept}\n… ${plural(text.length - kept.length, 'more character')} not shown${hint === '' ? '' : ` (${hint})`}`;
}
