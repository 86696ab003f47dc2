/**
 * The session history for the front ends (README "History"): reading a bounded page of it through
 * the manager, reading the `since` an operator typed, and each entry as one line of text. The CLI,
 * the MCP server and the dashboard all use this module; what the history holds is decided by the
 * library (src/history.ts).
 */
import { InvalidInputError } from '../errors.js';
import { formatTaskStatus } from '../model/status.js';
import { formatTimestamp, timestampToNanos } from '../schema/timestamp.js';
import type { HistoryChange, HistoryEntry } from '../history.js';
import type { TaskManager } from '../manager.js';
import { parseLease } from './claims.js';
import { escapeText } from './escape.js';

/** Entries a front end returns when the caller names no limit. */
export const DEFAULT_HISTORY_LIMIT = 50;

/** A page of history, newest first. */
export interface HistoryPage {
  readonly entries: HistoryEntry[];
  /** True when older entries matching the query were left out by the limit. */
  readonly more: boolean;
}

/**
 * The newest `limit` (default {@link DEFAULT_HISTORY_LIMIT}) entries of the session's history,
 * of one task when `taskId` is given, at or after `since` when given. The manager checks every
 * argument (InvalidInput naming the bad one). O(entries kept).
 */
export async function readHistoryPage(
  manager: TaskManager,
  sessionId: string,
  query: { taskId?: string; since?: string; limit?: number } = {},
): Promise<HistoryPage> {
  const limit = query.limit ?? DEFAULT_HISTORY_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidInputError(`history limit must be a positive integer, got ${String(limit)}`);
  // One more than asked for says whether older entries were left out.
  const entries = await manager.history(sessionId, { taskId: query.taskId, since: query.since, limit: Math.min(limit + 1, Number.MAX_SAFE_INTEGER) });
  return { entries: entries.slice(0, limit), more: entries.length > limit };
}

/**
 * A `since` typed by a person: an RFC 3339 timestamp (`2026-12-01T09:00:00Z`), or a duration
 * back from `nowMs` (`30s`, `10m`, `2h`, `1d`, as for leases). InvalidInput otherwise.
 */
export function parseSince(text: string, nowMs: number = Date.now(), name = 'since'): string {
  const trimmed = text.trim();
  if (timestampToNanos(trimmed) !== null) return trimmed;
  let ms: number;
  try {
    ms = parseLease(trimmed, name);
  } catch {
    throw new InvalidInputError(`${name} must be an RFC 3339 time such as 2026-12-01T09:00:00Z or a duration back from now such as 30s, 10m, 2h or 1d, got ${JSON.stringify(text)}`);
  }
  return formatTimestamp(BigInt(Math.max(0, nowMs - ms)) * 1_000_000n);
}

/** What one change was, in words (unescaped: callers escape it with the rest of their output). */
export function describeChange(change: HistoryChange): string {
  switch (change.type) {
    case 'created':
      return `created '${change.name}'`;
    case 'deleted':
      return `deleted '${change.name}'`;
    case 'status_changed':
      return `status ${formatTaskStatus(change.from)} → ${formatTaskStatus(change.to)}`;
    case 'renamed':
      return `renamed '${change.from}' → '${change.to}'`;
    case 'dependency_added':
      return `now waits for ${change.blocker_id}`;
    case 'evidence_recorded':
      return `evidence ${change.kind}${change.success ? '' : ' (failed)'}: ${change.summary}`;
    case 'claim_taken':
      return `claim taken, token ${change.token}, until ${change.expires_at}`;
    case 'claim_renewed':
      return `claim renewed, token ${change.token}, until ${change.expires_at}`;
    case 'claim_released':
      return `claim released, token ${change.token}`;
    case 'claim_expired':
      return `claim expired, token ${change.token}`;
    case 'list_replaced':
      return `list replaced (${change.task_count} tasks)`;
    default:
      // An entry of a newer version (or a hand edit): its type as stored.
      return String((change as { type?: unknown }).type);
  }
}

/**
 * One entry as a line: `time  #seq  actor  task  change  (operation)`, every piece escaped. The
 * task is left out when `withTask` is false (a history of one task).
 */
export function historyLine(entry: HistoryEntry, withTask = true): string {
  const parts = [entry.time, `#${entry.seq}`, entry.actor ?? '-'];
  if (withTask) parts.push(entry.task_id ?? '(list)');
  parts.push(describeChange(entry.change), `(${entry.operation})`);
  return parts.map((p) => escapeText(p)).join('  ');
}

/** A page as text: one line per entry, and a closing note when older entries were left out. */
export function renderHistory(page: HistoryPage, withTask = true): string {
  if (page.entries.length === 0) return 'No history.';
  const lines = page.entries.map((e) => historyLine(e, withTask));
  if (page.more) lines.push(`… older entries not shown (raise the limit, or narrow with a task or since)`);
  return lines.join('\n');
}
