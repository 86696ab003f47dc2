/**
 * Timestamp arithmetic on RFC 3339 strings without losing nanoseconds. Ordering is by instant,
 * never by string: `...05Z` is earlier than `...05.1Z`, and offsets are honoured.
 */
import { isRfc3339 } from '../schema/timestamp.js';

const UTC_SHAPE = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?[Zz]$/;
const ANY_SHAPE = /^(.*?)(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
/** The form this library writes (and Rust writes): already its own key, no allocation needed. */
const CANONICAL_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

/**
 * A key that sorts like the instant: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` in UTC. Strings that are not
 * timestamps sort after every timestamp, among themselves as strings.
 */
export function timestampKey(ts: string): string {
  if (CANONICAL_SHAPE.test(ts)) return ts;
  const m = UTC_SHAPE.exec(ts);
  if (m) return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(9, '0')}Z`;
  const nanos = timestampToNanos(ts);
  if (nanos === null) return `~${ts}`;
  return formatNanos(nanos);
}

/** Compares two timestamps by instant (negative, zero or positive). */
export function compareTimestamps(a: string, b: string): number {
  const ka = timestampKey(a);
  const kb = timestampKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Nanoseconds since the Unix epoch, or `null` when `ts` is not an RFC 3339 timestamp. */
export function timestampToNanos(ts: string): bigint | null {
  if (!isRfc3339(ts)) return null;
  const m = ANY_SHAPE.exec(ts);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/** Formats nanoseconds since the epoch as RFC 3339 UTC with 9 fraction digits (the Rust form). */
export function formatNanos(nanos: bigint): string {
  let frac = nanos % 1_000_000_000n;
  if (frac < 0n) frac += 1_000_000_000n;
  const seconds = (nanos - frac) / 1_000_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${frac.toString().padStart(9, '0')}Z`;
}
