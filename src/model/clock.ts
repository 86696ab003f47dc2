/**
 * Clocks. Model code never reads the time itself: it is handed a {@link Clock}, so tests control it.
 * The system clock gives nanosecond-formatted UTC timestamps with real microsecond resolution that
 * strictly increase within the process, so two changes made one after the other never share a
 * timestamp (README, guarantee on ordering of `updated_at`).
 */
import { MAX_TIMESTAMP_NANOS, formatTimestamp, timestampToNanos } from '../schema/timestamp.js';

/** A source of timestamps. Each call returns a later instant than the previous one. */
export interface Clock {
  /** The current time as an RFC 3339 UTC timestamp. */
  now(): string;
}

/** Re-anchor the high-resolution clock to the wall clock when they drift apart by more than this. */
const MAX_DRIFT_NS = 2_000_000n;

let anchorWall = BigInt(Date.now()) * 1_000_000n;
let anchorHr = process.hrtime.bigint();
let lastIssued = 0n;

/** Nanoseconds since the epoch, strictly increasing across calls in this process (by ≥ 1 µs). */
export function monotonicNanos(): bigint {
  const wall = BigInt(Date.now()) * 1_000_000n;
  let now = anchorWall + (process.hrtime.bigint() - anchorHr);
  const drift = now - wall;
  if (drift > MAX_DRIFT_NS || drift < -MAX_DRIFT_NS) {
    anchorWall = wall;
    anchorHr = process.hrtime.bigint();
    now = wall;
  }
  // Microsecond resolution: truncate, then step past the last value issued.
  now -= now % 1000n;
  if (now <= lastIssued) now = lastIssued + 1000n;
  lastIssued = now;
  return now;
}

/** The process-wide clock: wall time, microsecond resolution, strictly increasing. */
export const systemClock: Clock = {
  now: () => formatTimestamp(monotonicNanos()),
};

/**
 * A clock for tests: starts at `start` and advances by `stepNs` nanoseconds on every call.
 * Deterministic, so tests can assert exact timestamps.
 */
export function steppingClock(start = '2025-01-01T00:00:00Z', stepNs = 1000n): Clock {
  let current = timestampToNanos(start);
  if (current === null) throw new RangeError(`not an RFC 3339 timestamp: ${start}`);
  return {
    now() {
      const value = current as bigint;
      current = value + stepNs;
      return formatTimestamp(value);
    },
  };
}

/**
 * A timestamp for a change to a record last changed at `previous`: `now`, or 1 µs after `previous`
 * when `previous` is not earlier (a clock step back or a future-dated file), so `updated_at`
 * always moves forward. Never past `9999-12-31T23:59:59.999999999Z`, the last instant a timestamp
 * can hold: a record already there (or later, read with an offset) keeps `previous`, a record
 * within 1 µs of it gets exactly that instant. So a change never writes a timestamp that cannot be
 * read back; at the end of time, `updated_at` stops moving instead.
 */
export function advanceTimestamp(previous: string, now: string): string {
  const prev = timestampToNanos(previous);
  const cur = timestampToNanos(now);
  if (prev === null || cur === null || cur > prev) return now;
  if (prev >= MAX_TIMESTAMP_NANOS) return previous;
  const next = prev + 1000n;
  return formatTimestamp(next > MAX_TIMESTAMP_NANOS ? MAX_TIMESTAMP_NANOS : next);
}
