/**
 * Leased claims (README, "Leased claims"; decisions in docs/decisions.md): the only home of what a
 * claim is, when it holds, and which fencing token comes next.
 *
 * A claim lives in the task's metadata under `claim`, so a file rewritten by the Rust original
 * still carries it:
 * `{ "agent_id": "...", "token": 7, "claimed_at": "...", "expires_at": "...", "lease_ms": 30000 }`.
 * It holds ("is live") while the clock is before `expires_at`; after that nobody holds the task and
 * the ready queue offers it again. No timer is needed: every check compares with the clock.
 *
 * The fencing token only ever increases within a session. The last token issued is kept at the
 * top level of the session file (`claim_token`), and a task whose claim is removed (released,
 * expired, taken over) keeps that claim's token in `metadata.last_claim_token`. The next token is
 * one more than the largest of all of these, so a writer that drops unknown top-level keys (the
 * Rust original) still never makes a task's tokens repeat: the metadata carries them.
 *
 * Functions here read tasks and never change them.
 */
import { InvalidInputError } from '../errors.js';
import { copyRawNumbers } from '../json/raw-numbers.js';
import { defineEntry, describeValue, type JsonValue } from '../json/value.js';
import type { Task } from '../schema/task.js';
import { MAX_TIMESTAMP_NANOS, compareTimestamps, formatTimestamp, timestampToNanos } from '../schema/timestamp.js';
import { isJsonObject } from './metadata-records.js';
import type { TaskList } from './task-list.js';

/** The metadata key of a task's claim. */
export const CLAIM_KEY = 'claim';
/** The metadata key keeping the token of a task's last claim once the claim is gone. */
export const LAST_CLAIM_TOKEN_KEY = 'last_claim_token';
/** The top-level key of the session file holding the last fencing token issued. */
export const CLAIM_TOKEN_KEY = 'claim_token';
/** The longest lease a claim may ask for: 366 days. */
export const MAX_LEASE_MS = 366 * 24 * 60 * 60 * 1000;

/** A task's claim as stored in `metadata.claim`. */
export interface TaskClaim {
  /** The agent holding the claim. */
  readonly agent_id: string;
  /** The fencing token of the claim (a positive integer, increasing within the session). */
  readonly token: number;
  /** When the claim was taken. */
  readonly claimed_at: string;
  /** When the lease runs out unless renewed. */
  readonly expires_at: string;
  /** The lease length asked for, used again by a renewal that names none. */
  readonly lease_ms: number;
}

/** Options of the claiming operations. */
export interface ClaimOptions {
  /** Lease length in milliseconds (1 to {@link MAX_LEASE_MS}). Without it no claim is recorded. */
  readonly leaseMs?: number;
}

/** Options of the operations an agent fences with its claim token. */
export interface FenceOptions {
  /** The token of the caller's claim; the operation is refused unless it is the task's live claim. */
  readonly claimToken?: number;
}

/** A lease length: an integer from 1 to {@link MAX_LEASE_MS} milliseconds. */
export function requireLeaseMs(value: unknown, name = 'leaseMs'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_LEASE_MS) {
    throw new InvalidInputError(`${name} must be an integer number of milliseconds from 1 to ${MAX_LEASE_MS}, got ${describeValue(value)}`);
  }
  return value;
}

/** A fencing token: a positive safe integer. */
export function requireClaimToken(value: unknown, name = 'claimToken'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInputError(`${name} must be a positive integer claim token, got ${describeValue(value)}`);
  }
  return value;
}

/** Checks an options object: undefined/null → `{}`; anything else must be a plain object. */
function requireOptions(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError(`${name} must be an object, got ${describeValue(value)}`);
  return value as Record<string, unknown>;
}

/** The lease of claim options, or null when none was asked for (no claim is recorded then). */
export function leaseOf(options: unknown): number | null {
  const checked = requireOptions(options, 'claim options');
  return checked.leaseMs === undefined ? null : requireLeaseMs(checked.leaseMs);
}

/** The claim token of fencing options, or null when none was given (no fencing then). */
export function claimTokenOf(options: unknown): number | null {
  const checked = requireOptions(options, 'fence options');
  return checked.claimToken === undefined ? null : requireClaimToken(checked.claimToken);
}

/**
 * The task's claim, or null when it has none. A hand-edited `metadata.claim` of the wrong shape
 * counts as no claim (it grants nothing and never blocks the task). O(1).
 */
export function readClaim(task: Pick<Task, 'metadata'>): TaskClaim | null {
  const metadata = task.metadata;
  if (!isJsonObject(metadata) || !Object.hasOwn(metadata, CLAIM_KEY)) return null;
  const claim = metadata[CLAIM_KEY];
  if (!isJsonObject(claim)) return null;
  const { agent_id, token, claimed_at, expires_at, lease_ms } = claim;
  if (typeof agent_id !== 'string' || typeof token !== 'number' || !Number.isSafeInteger(token) || token < 1) return null;
  if (typeof claimed_at !== 'string' || typeof expires_at !== 'string' || timestampToNanos(expires_at) === null) return null;
  const lease = typeof lease_ms === 'number' && Number.isSafeInteger(lease_ms) && lease_ms >= 1 ? lease_ms : 1;
  return { agent_id, token, claimed_at, expires_at, lease_ms: lease };
}

/** True when `claim` still holds at instant `now` (before its `expires_at`). O(1). */
export function isLive(claim: TaskClaim, now: string): boolean {
  return compareTimestamps(now, claim.expires_at) < 0;
}

/** The task's claim when it holds at `now`, else null. O(1). */
export function liveClaim(task: Pick<Task, 'metadata'>, now: string): TaskClaim | null {
  const claim = readClaim(task);
  return claim !== null && isLive(claim, now) ? claim : null;
}

/** True when the task carries a claim whose lease ran out before `now`. O(1). */
export function hasExpiredClaim(task: Pick<Task, 'metadata'>, now: string): boolean {
  const claim = readClaim(task);
  return claim !== null && !isLive(claim, now);
}

/** A claim record for `agentId` with `token`, taken at `now` for `leaseMs`. */
export function newClaim(agentId: string, token: number, now: string, leaseMs: number): TaskClaim {
  return { agent_id: agentId, token, claimed_at: now, expires_at: addMillis(now, leaseMs), lease_ms: leaseMs };
}

/** `claim` extended to run `leaseMs` from `now`. */
export function renewedClaim(claim: TaskClaim, now: string, leaseMs: number): TaskClaim {
  return { ...claim, expires_at: addMillis(now, leaseMs), lease_ms: leaseMs };
}

/**
 * The metadata of `task` with its claim removed and the claim's token kept under
 * {@link LAST_CLAIM_TOKEN_KEY}; the metadata unchanged when there is no claim. Never mutates the
 * task. O(keys of the metadata).
 */
export function metadataWithoutClaim(task: Task): JsonValue {
  const metadata = task.metadata;
  if (!isJsonObject(metadata) || !Object.hasOwn(metadata, CLAIM_KEY)) return metadata;
  const claim = readClaim(task);
  const copy: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key !== CLAIM_KEY) defineEntry(copy, key, value);
  }
  copyRawNumbers(metadata, copy);
  if (claim !== null) defineEntry(copy, LAST_CLAIM_TOKEN_KEY, claim.token);
  return copy;
}

/** The claim's JSON form, keys in the documented order. */
export function claimToJson(claim: TaskClaim): JsonValue {
  return { agent_id: claim.agent_id, token: claim.token, claimed_at: claim.claimed_at, expires_at: claim.expires_at, lease_ms: claim.lease_ms };
}

/** `ts` plus `ms` milliseconds, capped at the last instant a timestamp can hold. */
function addMillis(ts: string, ms: number): string {
  const nanos = timestampToNanos(ts);
  if (nanos === null) throw new InvalidInputError(`clock returned '${ts}', which is not an RFC 3339 timestamp`);
  const end = nanos + BigInt(ms) * 1_000_000n;
  return formatTimestamp(end > MAX_TIMESTAMP_NANOS ? MAX_TIMESTAMP_NANOS : end);
}

/**
 * The next fencing token of the session: one more than the largest of the top-level
 * {@link CLAIM_TOKEN_KEY} and every task's claim token. O(n).
 */
export function nextClaimToken(list: TaskList): number {
  const stored = list.extraValue(CLAIM_TOKEN_KEY);
  let high = typeof stored === 'number' && Number.isSafeInteger(stored) && stored > 0 ? stored : 0;
  for (const task of list.tasks) {
    const claim = readClaim(task);
    if (claim !== null && claim.token > high) high = claim.token;
    const last = isJsonObject(task.metadata) ? task.metadata[LAST_CLAIM_TOKEN_KEY] : undefined;
    if (typeof last === 'number' && Number.isSafeInteger(last) && last > high) high = last;
  }
  if (high >= Number.MAX_SAFE_INTEGER) throw new InvalidInputError('the session has used up its claim tokens');
  return high + 1;
}

/**
 * The InvalidInput error refusing a write fenced with `token` on `task`, or null when `token` is
 * the task's live claim at `now`. The message says the claim was lost and who holds the task now.
 */
export function fenceViolation(task: Task, token: number, now: string): InvalidInputError | null {
  const claim = readClaim(task);
  if (claim !== null && claim.token === token && isLive(claim, now)) return null;
  const lost = `claim lost: token ${token} is not the live claim of task '${task.id}'`;
  if (claim === null) return new InvalidInputError(`${lost}; nobody holds it now`);
  if (claim.token === token) return new InvalidInputError(`${lost}; its lease expired at ${claim.expires_at} and nobody holds it now`);
  if (!isLive(claim, now)) return new InvalidInputError(`${lost}; agent '${claim.agent_id}' held it with token ${claim.token} until ${claim.expires_at}, and nobody holds it now`);
  return new InvalidInputError(`${lost}; agent '${claim.agent_id}' holds it now with token ${claim.token} until ${claim.expires_at}`);
}
