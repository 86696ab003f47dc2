/**
 * Timestamps: one module parses, orders and prints them, and the library never writes one it cannot
 * read back (a task at the end of year 9999 keeps a readable `updated_at`).
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskManager, compareTimestamps } from '../src/index.js';
import {
  MAX_TIMESTAMP_NANOS,
  MIN_TIMESTAMP_NANOS,
  TimestampSchema,
  formatTimestamp,
  isRfc3339,
  timestampKey,
  timestampToNanos,
  toUtcTimestamp,
} from '../src/schema/timestamp.js';
import { advanceTimestamp } from '../src/model/clock.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

const END = '9999-12-31T23:59:59.999999999Z';

describe('timestamps at the end of time', () => {
  it('advanceTimestamp never goes past 9999-12-31T23:59:59.999999999Z', () => {
    const now = '2025-01-01T00:00:00.000000000Z';
    expect(advanceTimestamp('9999-12-31T23:59:59.999998000Z', now)).toBe('9999-12-31T23:59:59.999999000Z');
    expect(advanceTimestamp('9999-12-31T23:59:59.999999500Z', now)).toBe(END);
    expect(advanceTimestamp(END, now)).toBe(END);
    // Year 10000 in UTC, written with an offset: kept as it was, never printed as `+010000-…`.
    expect(advanceTimestamp('9999-12-31T23:30:00-01:00', now)).toBe('9999-12-31T23:30:00-01:00');
    for (const ts of ['9999-12-31T23:59:59Z', END, '9999-12-31T23:30:00-01:00']) {
      expect(isRfc3339(advanceTimestamp(ts, now))).toBe(true);
    }
  });

  it('a task updated at the end of year 9999 is written readable and changes again', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir);
    const task = await manager.createTask('s', 'far future', 'x');
    const file = manager.sessionPath('s');
    const text = fs.readFileSync(file, 'utf8').replace(/"updated_at": "[^"]*"/, `"updated_at": "${END}"`);
    fs.writeFileSync(file, text);
    for (const status of ['InProgress', 'Completed'] as const) {
      const updated = await manager.updateTaskStatus('s', task.id, status);
      expect(updated.updated_at).toBe(END);
      expect(fs.readFileSync(file, 'utf8')).not.toContain('+0100');
      const fresh = new TaskManager(dir);
      expect((await fresh.getTask('s', task.id))?.status).toBe(status);
    }
  });

  it('formatTimestamp refuses instants outside years 0000-9999 instead of printing them', () => {
    expect(formatTimestamp(MAX_TIMESTAMP_NANOS)).toBe(END);
    expect(formatTimestamp(MIN_TIMESTAMP_NANOS)).toBe('0000-01-01T00:00:00.000000000Z');
    expect(() => formatTimestamp(MAX_TIMESTAMP_NANOS + 1n)).toThrow(RangeError);
    expect(() => formatTimestamp(MIN_TIMESTAMP_NANOS - 1n)).toThrow(RangeError);
  });
});

describe('one module for parsing, ordering and printing', () => {
  const instant = fc.bigInt({ min: MIN_TIMESTAMP_NANOS, max: MAX_TIMESTAMP_NANOS });

  it('printing then parsing gives the same instant, and keys sort like instants', () => {
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const ta = formatTimestamp(a);
        expect(timestampToNanos(ta)).toBe(a);
        expect(TimestampSchema.parse(ta)).toBe(ta);
        expect(Math.sign(compareTimestamps(ta, formatTimestamp(b)))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Date on instants Date can show, offsets included', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString();
        expect(timestampToNanos(iso)).toBe(BigInt(d.getTime()) * 1_000_000n);
        expect(formatTimestamp(BigInt(d.getTime()) * 1_000_000n)).toBe(`${iso.slice(0, 23)}000000Z`);
      }),
      { numRuns: 2000 },
    );
    expect(toUtcTimestamp('2024-12-31T23:30:00.5-01:00')).toBe('2025-01-01T00:30:00.500000000Z');
    expect(toUtcTimestamp('0001-01-01T00:30:00+01:00')).toBe('0000-12-31T23:30:00.000000000Z');
  });

  it('invalid instants are refused as chrono refuses them', () => {
    for (const bad of ['2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00+24:00', '2024-01-01 00:00:00Z', '+10000-01-01T00:00:00Z']) {
      expect(isRfc3339(bad), bad).toBe(false);
    }
    expect(isRfc3339('2024-02-29T00:00:00Z')).toBe(true);
    expect(isRfc3339('2000-02-29T00:00:00z')).toBe(true);
  });

  it('instants beyond the printable years still order correctly', () => {
    const ordered = ['0000-01-01T00:30:00+01:00', '0000-01-01T00:00:00Z', '2024-01-01T00:00:00Z', END, '9999-12-31T23:30:00-01:00', '9999-12-31T23:30:00-02:00', 'not a timestamp'];
    const sorted = [...ordered].reverse().sort(compareTimestamps);
    expect(sorted).toEqual(ordered);
    expect(timestampKey('9999-12-31T23:30:00-01:00') > timestampKey(END)).toBe(true);
  });
});
