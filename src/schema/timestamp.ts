/** RFC 3339 timestamps as stored in task files. */
import { z } from 'zod';

/**
 * RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, 1 to 9 fraction digits, then `Z` or a `±HH:MM` offset.
 * We write UTC with 9 fraction digits, as Rust does; we read any offset.
 */
export const RFC3339_PATTERN = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** True when `s` is an RFC 3339 timestamp naming a real instant. */
export function isRfc3339(s: string): boolean {
  return RFC3339_PATTERN.test(s) && !Number.isNaN(Date.parse(s.replace(/\.\d+/, '')));
}

/** Schema of a timestamp string (kept exactly as given; order them by instant, not as strings). */
export const TimestampSchema = z
  .string()
  .refine(isRfc3339, 'expected an RFC 3339 timestamp such as 2024-01-02T03:04:05.123456789Z');
