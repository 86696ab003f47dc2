/**
 * RFC 3339 timestamps as stored in task files: the one place that parses, orders and prints them.
 *
 * We read any RFC 3339 form (any offset, `t`/`z` in lower case, 1–9 fraction digits) that names a
 * real instant, and write UTC with 9 fraction digits, as the Rust writer does. Years 0000–9999 are
 * the only ones a 4-digit UTC timestamp can hold; nothing outside them is ever printed (see
 * {@link formatTimestamp}), so every timestamp we write can be read back. Ordering is by instant,
 * never by string: `…05Z` is earlier than `…05.1Z`, and offsets are honoured.
 */
import { lazySchema, zod } from './lazy.js';

/**
 * The fields of an RFC 3339 date-time: year, month, day, hour, minute, second, fraction, then `Z`
 * or a sign with offset hours and minutes.
 */
const FIELDS = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** The form we write: UTC, upper-case `T` and `Z`, exactly 9 fraction digits. Its own sort key. */
const WRITTEN_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

/** Forms written by Rust and kept as they are: UTC with 0, 3, 6 or 9 fraction digits. */
const KEPT_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(?:\d{3}|\d{6}|\d{9}))?Z$/;

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_DAY = 86_400n * NANOS_PER_SECOND;

/** Nanoseconds since the Unix epoch of `0000-01-01T00:00:00Z`, the earliest instant we write. */
export const MIN_TIMESTAMP_NANOS = BigInt(daysFromCivil(0, 1, 1)) * NANOS_PER_DAY;
/** Nanoseconds since the Unix epoch of `9999-12-31T23:59:59.999999999Z`, the latest instant we write. */
export const MAX_TIMESTAMP_NANOS = BigInt(daysFromCivil(10_000, 1, 1)) * NANOS_PER_DAY - 1n;

/** Days from 1970-01-01 to the given proleptic Gregorian date. O(1). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The proleptic Gregorian date `days` after 1970-01-01. O(1). */
function civilFromDays(days: number): [number, number, number] {
  const z2 = days + 719_468;
  const era = Math.floor(z2 / 146_097);
  const doe = z2 - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Nanoseconds since the Unix epoch of the RFC 3339 timestamp `ts`, or `null` when `ts` is not one
 * or names no real instant (February 30th, hour 24, offset hour 24: chrono, the Rust reader,
 * refuses those too). O(length of `ts`).
 */
export function timestampToNanos(ts: string): bigint | null {
  const m = FIELDS.exec(ts);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const offsetHours = Number(m[9]);
    const offsetMins = Number(m[10]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + (minute - offsetMinutes) * 60 + second;
  return BigInt(seconds) * NANOS_PER_SECOND + BigInt((m[7] ?? '').padEnd(9, '0'));
}

/** True when `s` is an RFC 3339 timestamp naming a real instant (see {@link timestampToNanos}). */
export function isRfc3339(s: string): boolean {
  return timestampToNanos(s) !== null;
}

/**
 * `nanos` since the epoch as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, the form we write. A RangeError
 * outside years 0000–9999, which no 4-digit timestamp can hold: nothing unreadable is ever printed.
 */
export function formatTimestamp(nanos: bigint): string {
  if (nanos < MIN_TIMESTAMP_NANOS || nanos > MAX_TIMESTAMP_NANOS) {
    throw new RangeError(`instant ${nanos} ns after the epoch is outside the years 0000-9999 a timestamp can hold`);
  }
  let fraction = nanos % NANOS_PER_SECOND;
  if (fraction < 0n) fraction += NANOS_PER_SECOND;
  const seconds = Number((nanos - fraction) / NANOS_PER_SECOND);
  const days = Math.floor(seconds / 86_400);
  const inDay = seconds - days * 86_400;
  const [year, month, day] = civilFromDays(days);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T` +
    `${two(Math.floor(inDay / 3600))}:${two(Math.floor(inDay / 60) % 60)}:${two(inDay % 60)}.${fraction.toString().padStart(9, '0')}Z`
  );
}

/**
 * `s` in the form we write: text already in a form Rust writes (UTC, 0/3/6/9 fraction digits) is
 * kept exactly, so files written by Rust round-trip byte for byte; anything else valid becomes the
 * same instant in UTC with 9 fraction digits. Invalid text, and an offset form whose instant falls
 * outside years 0000–9999 in UTC, is returned unchanged (still valid RFC 3339 as given).
 */
export function toUtcTimestamp(s: string): string {
  if (KEPT_FORM.test(s)) return s;
  const nanos = timestampToNanos(s);
  if (nanos === null || nanos < MIN_TIMESTAMP_NANOS || nanos > MAX_TIMESTAMP_NANOS) return s;
  return formatTimestamp(nanos);
}

/** Width of the digits that order instants outside the printable years in {@link timestampKey}. */
const OUT_OF_RANGE_WIDTH = 32;
const OUT_OF_RANGE_BIAS = 10n ** 30n;

/**
 * A string that sorts like the instant of `ts`: the written form (`…nnnnnnnnnZ`) for years
 * 0000–9999, with keys below and above for instants outside them; strings that are not timestamps
 * sort after every timestamp, among themselves as strings. O(length of `ts`); no allocation for
 * text already in the written form.
 */
export function timestampKey(ts: string): string {
  if (WRITTEN_FORM.test(ts)) return ts;
  const nanos = timestampToNanos(ts);
  if (nanos === null) return `~${ts}`;
  // '/' sorts just below '0'; the maximum followed by more characters sorts above it.
  if (nanos < MIN_TIMESTAMP_NANOS) return `/${(nanos + OUT_OF_RANGE_BIAS).toString().padStart(OUT_OF_RANGE_WIDTH, '0')}`;
  if (nanos > MAX_TIMESTAMP_NANOS) return `${formatTimestamp(MAX_TIMESTAMP_NANOS)}+${nanos.toString().padStart(OUT_OF_RANGE_WIDTH, '0')}`;
  return formatTimestamp(nanos);
}

/**
 * True for the written form `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` by its shape alone (length and three
 * separators, no regex): a cheap first test, confirmed by {@link timestampKey} when it fails.
 */
function looksWritten(s: string): boolean {
  return s.length === 30 && s.charCodeAt(29) === 90 && s.charCodeAt(19) === 46 && s.charCodeAt(10) === 84;
}

/**
 * Compares two timestamps by instant (negative, zero or positive). Two values in the written form
 * compare as strings without any parsing, which keeps sorting large sibling groups cheap.
 */
export function compareTimestamps(a: string, b: string): number {
  if (looksWritten(a) && looksWritten(b) && WRITTEN_FORM.test(a) && WRITTEN_FORM.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const ka = timestampKey(a);
  const kb = timestampKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Schema of a timestamp string. Accepts any valid RFC 3339 form (offsets too) and yields the UTC
 * form we write ({@link toUtcTimestamp}).
 */
export const TimestampSchema = lazySchema(() =>
  zod()
    .string()
    .refine(isRfc3339, 'expected an RFC 3339 timestamp such as 2024-01-02T03:04:05.123456789Z')
    .overwrite(toUtcTimestamp),
);
