/**
 * History rows (README "History"): the entries of a commit are written by the commit's own
 * statement, so the history and the list never disagree; the retention is the file store's
 * (compacted once past the limit plus a quarter, never dropping the newest commit's entries).
 */
import {
  HISTORY_SEQ_KEY,
  nextSequence,
  sequenceOf,
  stampHistory,
  type HistoryEntry,
  type HistoryRecord,
  type HistoryRetention,
} from '../../history.js';
import type { TaskList } from '../../model/task-list.js';
import { timestampToNanos } from '../../schema/timestamp.js';
import type { StoredList } from '../task-store.js';

/** The history columns of the session row, as the lock statement returned them. */
export interface HistoryState {
  /** The sequence of the newest stored entry (null: none yet). */
  readonly historySeq: number | null;
  /** How many entries are stored (approximately, after an age-limited compaction). */
  readonly historyEntries: number;
  /** The number the next entry gets. */
  readonly historyNext: number;
}

/** The history parameters of one commit's write statement. */
export interface HistoryWrite {
  readonly seq: number;
  readonly entryNos: number[];
  /** Entry times in nanoseconds since the epoch (null when unreadable). */
  readonly times: (string | null)[];
  readonly entries: string[];
  /** Entries numbered up to this are dropped (0: none). */
  readonly dropThrough: number;
  /** Entries older than this (ns since the epoch) are dropped, except this commit's; null: none. */
  readonly cutoff: string | null;
  readonly next: number;
  readonly count: number;
}

/**
 * The history of one commit: stamps `records` with the commit's sequence (set on `list`, as the
 * file store does) and says what the statement keeps. O(records).
 */
export function historyParams(
  list: TaskList,
  basis: StoredList | null,
  records: readonly HistoryRecord[],
  state: HistoryState,
  retention: HistoryRetention,
): HistoryWrite {
  const seq = nextSequence(basis === null ? null : sequenceOf(basis.list.extraValue(HISTORY_SEQ_KEY)), state.historySeq);
  list.setExtra(HISTORY_SEQ_KEY, seq);
  const added = stampHistory(records, seq);
  const next = state.historyNext + added.length;
  const max = retention.maxEntries ?? Number.MAX_SAFE_INTEGER;
  const total = state.historyEntries + added.length;
  const overdue = total > max + Math.max(16, Math.floor(max / 4));
  return {
    seq,
    entryNos: added.map((_, i) => state.historyNext + i),
    times: added.map((e) => timestampToNanos(e.time)?.toString() ?? null),
    entries: added.map((e) => JSON.stringify(e)),
    dropThrough: overdue ? next - 1 - max : 0,
    cutoff: overdue && retention.maxAgeMs !== undefined ? (BigInt(Date.now() - retention.maxAgeMs) * 1_000_000n).toString() : null,
    next,
    count: overdue ? Math.min(total, max) : total,
  };
}

/** The parameters of the import statement (Statements.importHistory) for `entries`, numbered from `next`. O(entries). */
export function importParams(sessionId: string, entries: readonly HistoryEntry[], next: number): unknown[] {
  return [
    sessionId,
    entries.map((_, i) => next + i),
    entries.map((e) => e.seq),
    entries.map((e) => timestampToNanos(e.time)?.toString() ?? null),
    entries.map((e) => JSON.stringify(e)),
    entries.at(-1)?.seq ?? null,
  ];
}

/**
 * The entries in `rows` (oldest first) of commits up to the session's sequence `seq`; rows without
 * an entry (the session row of the history statement) are skipped. O(rows).
 */
export function landedEntries(rows: readonly { entry: string | null }[], seq: number | null): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const { entry } of rows) {
    if (entry === null) continue;
    const value = JSON.parse(entry) as HistoryEntry;
    if (seq === null || value.seq <= seq) entries.push(value);
  }
  return entries;
}
