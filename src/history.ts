/**
 * The session history (README "History"): what each commit changed, one entry per change, derived
 * from the change events of {@link diffTaskLists} (the one differ) plus the operation that made
 * the commit. Pure rules here; the stores keep the entries (src/store/history-file.ts for files).
 */
import { InvalidInputError } from './errors.js';
import type { TaskChangeEvent } from './events.js';
import { describeValue } from './json/value.js';
import { readClaim, type TaskClaim } from './model/claims.js';
import { isJsonObject } from './model/metadata-records.js';
import { requireId } from './model/validate.js';
import { timestampToNanos } from './schema/timestamp.js';
import type { TaskStatus } from './schema/enums.js';
import type { Task } from './schema/task.js';

/** What one history entry says changed. */
export type HistoryChange =
  | { readonly type: 'created'; readonly name: string }
  | { readonly type: 'deleted'; readonly name: string }
  | { readonly type: 'status_changed'; readonly from: TaskStatus; readonly to: TaskStatus }
  | { readonly type: 'renamed'; readonly from: string; readonly to: string }
  | { readonly type: 'dependency_added'; readonly blocker_id: string }
  | { readonly type: 'evidence_recorded'; readonly kind: string; readonly summary: string; readonly success: boolean }
  | { readonly type: 'claim_taken'; readonly token: number; readonly expires_at: string }
  | { readonly type: 'claim_renewed'; readonly token: number; readonly expires_at: string }
  | { readonly type: 'claim_released'; readonly token: number }
  | { readonly type: 'claim_expired'; readonly token: number }
  | { readonly type: 'list_replaced'; readonly task_count: number };

/** One change of one commit, as stored. */
export interface HistoryEntry {
  /** The commit sequence of the commit that made the change (1, 2, … per session). */
  readonly seq: number;
  /** When the commit was made (RFC 3339 UTC, from the manager's clock). */
  readonly time: string;
  /** The manager operation that made the commit (`batch` for a batch). */
  readonly operation: string;
  /** The task changed; null for a change of the whole list. */
  readonly task_id: string | null;
  /**
   * Who made the change when known: the call's `agentId` option; else the agent whose live claim
   * the call's token proved (a fenced write, a renewal, a release); else the claiming agent of a
   * claim; else the manager's `actor`; else the claim's agent. For `claim_expired` always the
   * agent whose lease ran out. Null when nobody is known.
   */
  readonly actor: string | null;
  readonly change: HistoryChange;
}

/** An entry before the store stamps it with the commit sequence. */
export type HistoryRecord = Omit<HistoryEntry, 'seq'>;

/** How much history a store keeps. */
export interface HistoryRetention {
  /** Keep at most this many entries (the newest). Default {@link DEFAULT_HISTORY_ENTRIES}. */
  readonly maxEntries?: number;
  /** Drop entries older than this many milliseconds when compacting. Default: no age limit. */
  readonly maxAgeMs?: number;
}

/** The default retention: the newest 10,000 entries of each session. */
export const DEFAULT_HISTORY_ENTRIES = 10_000;

/** The top-level key of the session file holding the sequence of the last commit that landed. */
export const HISTORY_SEQ_KEY = 'history_seq';

/** A history query of {@link TaskManager.history}. */
export interface HistoryQuery {
  /** Only entries of this task. */
  readonly taskId?: string;
  /** Only entries at or after this RFC 3339 time. */
  readonly since?: string;
  /** At most this many entries (the newest). */
  readonly limit?: number;
}

/**
 * Who makes one call, for its history entries: `{ agentId }` as the last argument of the manager's
 * changing methods. It names the actor of every entry of that commit, before the manager's `actor`
 * option and the claim's agent.
 */
export interface ActorOptions {
  /** The agent (or person, or front end) making the call; a non-empty string. */
  readonly agentId?: string;
}

/**
 * The actor named by call options (undefined/null: none): the `agentId` of an options object,
 * checked like every id (InvalidInput naming it). Other keys (such as `claimToken`) are left to
 * their own checks. O(1).
 */
export function actorOf(options: unknown, name = 'options'): string | null {
  if (options === undefined || options === null) return null;
  if (typeof options !== 'object' || Array.isArray(options)) throw new InvalidInputError(`${name} must be an object, got ${describeValue(options)}`);
  const { agentId } = options as Record<string, unknown>;
  return agentId === undefined ? null : requireId(agentId, 'agentId option');
}

function claimToken(task: Task): TaskClaim | null {
  return readClaim(task);
}

/** The raw evidence pieces at `metadata.execution_state.evidence` (at most 32), or none. */
function evidenceOf(task: Task): Record<string, unknown>[] {
  const state = isJsonObject(task.metadata) ? task.metadata.execution_state : undefined;
  const evidence = isJsonObject(state) ? state.evidence : undefined;
  return Array.isArray(evidence) ? evidence.filter(isJsonObject) : [];
}

/** Evidence pieces of `task` that `previous` did not have. O(pieces), at most 32 each. */
function newEvidence(previous: Task, task: Task): HistoryChange[] {
  const after = evidenceOf(task);
  if (after.length === 0) return [];
  const before = new Set(evidenceOf(previous).map((e) => JSON.stringify(e)));
  return after
    .filter((e) => !before.has(JSON.stringify(e)))
    .map((e) => ({ type: 'evidence_recorded', kind: String(e.kind), summary: String(e.summary), success: e.success !== false }));
}

function claimChanges(previous: Task, task: Task, operation: string): { change: HistoryChange; actor: string }[] {
  const old = claimToken(previous);
  const now = claimToken(task);
  const out: { change: HistoryChange; actor: string }[] = [];
  if (old !== null && (now === null || now.token !== old.token)) {
    const released = now === null && operation === 'releaseClaim';
    out.push({ change: { type: released ? 'claim_released' : 'claim_expired', token: old.token }, actor: old.agent_id });
  }
  if (now !== null && (old === null || old.token !== now.token)) {
    out.push({ change: { type: 'claim_taken', token: now.token, expires_at: now.expires_at }, actor: now.agent_id });
  } else if (now !== null && old !== null && now.expires_at !== old.expires_at) {
    out.push({ change: { type: 'claim_renewed', token: now.token, expires_at: now.expires_at }, actor: now.agent_id });
  }
  return out;
}

/**
 * The history records of one commit: `events` are what {@link diffTaskLists} found, `operation`
 * the manager operation, `actor` the caller when known. O(events + blocker lists of changed tasks).
 */
export function historyRecords(events: readonly TaskChangeEvent[], operation: string, time: string, actor: string | null): HistoryRecord[] {
  const records: HistoryRecord[] = [];
  const add = (taskId: string | null, change: HistoryChange, who: string | null = actor): void => {
    records.push({ time, operation, task_id: taskId, actor: who, change });
  };
  for (const event of events) {
    switch (event.type) {
      case 'created':
        add(event.task.id, { type: 'created', name: event.task.name });
        break;
      case 'deleted':
        add(event.task.id, { type: 'deleted', name: event.task.name });
        break;
      case 'status_changed': {
        const claim = claimToken(event.task);
        add(event.task.id, { type: 'status_changed', from: event.from, to: event.to }, actor ?? claim?.agent_id ?? null);
        break;
      }
      case 'updated': {
        const { task, previous } = event;
        if (task.name !== previous.name) add(task.id, { type: 'renamed', from: previous.name, to: task.name });
        const had = new Set(previous.blocked_by);
        for (const blocker of task.blocked_by) if (!had.has(blocker)) add(task.id, { type: 'dependency_added', blocker_id: blocker });
        // An expiry is nobody's act: it names the agent whose lease ran out, whoever noticed it.
        for (const c of claimChanges(previous, task, operation)) add(task.id, c.change, c.change.type === 'claim_expired' ? c.actor : (actor ?? c.actor));
        if (task.metadata !== previous.metadata) {
          for (const change of newEvidence(previous, task)) add(task.id, change, actor ?? readClaim(task)?.agent_id ?? null);
        }
        break;
      }
      case 'list_replaced':
        add(null, { type: 'list_replaced', task_count: event.taskCount });
        break;
      case 'current_changed':
        break;
    }
  }
  return records;
}

/** Checks a history query (InvalidInput naming the bad field). */
export function requireHistoryQuery(value: unknown): HistoryQuery {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError('history options must be an object');
  const { taskId, since, limit } = value as Record<string, unknown>;
  if (taskId !== undefined && (typeof taskId !== 'string' || taskId === '')) throw new InvalidInputError('history option taskId must be a non-empty string');
  if (since !== undefined && (typeof since !== 'string' || timestampToNanos(since) === null)) {
    throw new InvalidInputError('history option since must be an RFC 3339 timestamp');
  }
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1)) {
    throw new InvalidInputError('history option limit must be a positive integer');
  }
  return { taskId: taskId as string | undefined, since: since as string | undefined, limit: limit as number | undefined };
}

/** Checks a retention setting (InvalidInput naming the bad field). */
export function requireRetention(value: unknown): Required<Pick<HistoryRetention, 'maxEntries'>> & HistoryRetention {
  if (value === undefined || value === null || value === true) return { maxEntries: DEFAULT_HISTORY_ENTRIES };
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError('history retention must be an object');
  const { maxEntries, maxAgeMs } = value as Record<string, unknown>;
  if (maxEntries !== undefined && (typeof maxEntries !== 'number' || !Number.isSafeInteger(maxEntries) || maxEntries < 1)) {
    throw new InvalidInputError('history retention maxEntries must be a positive integer');
  }
  if (maxAgeMs !== undefined && (typeof maxAgeMs !== 'number' || !Number.isSafeInteger(maxAgeMs) || maxAgeMs < 1)) {
    throw new InvalidInputError('history retention maxAgeMs must be a positive integer');
  }
  return { maxEntries: (maxEntries as number | undefined) ?? DEFAULT_HISTORY_ENTRIES, maxAgeMs: maxAgeMs as number | undefined };
}

/**
 * The entries that survive retention: the newest `maxEntries`, minus those older than `maxAgeMs`
 * before `nowMs`, but never any entry of the newest commit (`entries` oldest first). O(n).
 */
export function retainHistory(entries: readonly HistoryEntry[], retention: HistoryRetention, nowMs: number): HistoryEntry[] {
  const max = retention.maxEntries ?? DEFAULT_HISTORY_ENTRIES;
  let kept = entries.length > max ? entries.slice(entries.length - max) : entries.slice();
  if (retention.maxAgeMs !== undefined && kept.length > 0) {
    const newestSeq = (kept[kept.length - 1] as HistoryEntry).seq;
    const cutoff = BigInt(nowMs - retention.maxAgeMs) * 1_000_000n;
    kept = kept.filter((e) => e.seq === newestSeq || (timestampToNanos(e.time) ?? 0n) >= cutoff);
  }
  return kept;
}

/** The entries matching `query`, newest first (`entries` oldest first). O(n). */
export function queryHistory(entries: readonly HistoryEntry[], query: HistoryQuery): HistoryEntry[] {
  const since = query.since === undefined ? null : timestampToNanos(query.since);
  const out: HistoryEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i] as HistoryEntry;
    if (query.taskId !== undefined && e.task_id !== query.taskId) continue;
    if (since !== null && (timestampToNanos(e.time) ?? 0n) < since) continue;
    out.push(e);
    if (query.limit !== undefined && out.length >= query.limit) break;
  }
  return out;
}

/** The commit sequence a session list carries, or null when it has none (new, or rewritten by Rust). */
export function sequenceOf(extra: unknown): number | null {
  return typeof extra === 'number' && Number.isSafeInteger(extra) && extra >= 0 ? extra : null;
}

/**
 * The sequence of the next commit: one past the session's own (entries beyond it are from commits
 * that never landed and are replaced). A session without one (new, or rewritten by the Rust
 * original, which drops unknown keys) continues after the newest stored entry. O(1).
 */
export function nextSequence(sessionSeq: number | null, newestStoredSeq: number | null): number {
  return (sessionSeq ?? newestStoredSeq ?? 0) + 1;
}

/** The entries of `records` stamped with `seq`. */
export function stampHistory(records: readonly HistoryRecord[], seq: number): HistoryEntry[] {
  return records.map((r) => ({ seq, ...r }));
}

/**
 * The entries a store keeps when a session is imported with its history (a copy): `entries`
 * checked (InvalidInput naming the first bad one: each an entry object, sequences positive and
 * never decreasing), those beyond the list's sequence `listSeq` left out (null: every entry counts,
 * as for a list the Rust original rewrote), then the retention applied. O(n).
 */
export function importedHistory(entries: unknown, listSeq: number | null, retention: HistoryRetention, nowMs: number): HistoryEntry[] {
  if (!Array.isArray(entries)) throw new InvalidInputError(`history entries must be an array, got ${describeValue(entries)}`);
  let last = 0;
  const landed: HistoryEntry[] = [];
  entries.forEach((entry: unknown, i) => {
    const where = `history entry ${i}`;
    if (!isJsonObject(entry)) throw new InvalidInputError(`${where} must be an object, got ${describeValue(entry)}`);
    const { seq, time, operation, task_id: taskId, actor, change } = entry;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new InvalidInputError(`${where}: seq must be a positive integer`);
    if (seq < last) throw new InvalidInputError(`${where}: seq ${seq} comes after seq ${last} (entries go oldest first)`);
    if (typeof time !== 'string' || typeof operation !== 'string') throw new InvalidInputError(`${where}: time and operation must be strings`);
    if ((taskId !== null && typeof taskId !== 'string') || (actor !== null && typeof actor !== 'string')) {
      throw new InvalidInputError(`${where}: task_id and actor must be strings or null`);
    }
    if (!isJsonObject(change) || typeof change.type !== 'string') throw new InvalidInputError(`${where}: change must be an object with a type`);
    last = seq;
    if (listSeq === null || seq <= listSeq) landed.push(entry as unknown as HistoryEntry);
  });
  return retainHistory(landed, retention, nowMs);
}
