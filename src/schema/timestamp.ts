/** RFC 3339 timestamps as stored in task files. */
import { z } from 'zod';

/**
 * RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, 1 to 9 fraction digits, then `Z` or a `±HH:MM` offset.
 * We write UTC with 9 fraction digits, as Rust does; we read any offset.
 */
export const RFC3339_PATTERN = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

const FIELDS = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** The form we write: UTC, upper-case `T` and `Z`, 0, 3, 6 or 9 fraction digits (SPEC A2). */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(?:\d{3}|\d{6}|\d{9}))?Z$/;

/**
 * True when `s` is an RFC 3339 timestamp naming a real instant: every field in range (no
 * February 30th, no hour 24), as chrono, the Rust reader, requires. `Date.parse` alone is too
 * lenient: it rolls `2024-02-30` over to March 1st.
 */
export function isRfc3339(s: string): boolean {
  const m = FIELDS.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  if (day > new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0)) return false;
  if (m[8] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return !Number.isNaN(Date.parse(s.replace(/\.\d+/, '')));
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * `s` in the form we write: already-canonical UTC text is kept exactly; anything else valid
 * (an offset, lower case, 1–9 fraction digits) becomes the same instant in UTC with 9 fraction
 * digits, as Rust writes it. Invalid text is returned unchanged (the refinement reports it).
 */
export function toUtcTimestamp(s: string): string {
  if (CANONICAL_UTC.test(s) || !isRfc3339(s)) return s;
  const m = FIELDS.exec(s)!;
  const fraction = (m[7] ?? '').padEnd(9, '0');
  const offsetMinutes = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const whole = new Date(0); // setUTCFullYear keeps years 0–99 literal, unlike Date.UTC
  whole.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  whole.setUTCHours(Number(m[4]), Number(m[5]) - offsetMinutes, Number(m[6]), 0);
  const year = whole.getUTCFullYear();
  if (year < 0 || year > 9999) return s; // no 4-digit UTC form; still valid RFC 3339 as given
  return `${whole.toISOString().slice(0, 19)}.${fraction}Z`;
}

/**
 * Schema of a timestamp string. Accepts any valid RFC 3339 form (offsets too) and yields the UTC
 * form we write ({@link toUtcTimestamp}): canonical UTC text is kept exactly as given, so files
 * written by Rust round-trip byte for byte. Order timestamps by instant, not as strings.
 */
export const TimestampSchema = z
  .string()
  .refine(isRfc3339, 'expected an RFC 3339 timestamp such as 2024-01-02T03:04:05.123456789Z')
  .overwrite(toUtcTimestamp);
