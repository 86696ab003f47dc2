/**
 * Leased claims for the front ends (README, "Leased claims"): reading a lease length an operator
 * typed, claiming / renewing / releasing through the manager, and what a task's claim looks like at
 * a given instant. The CLI, the MCP server and the dashboard all use this module; what a claim is
 * and when it holds is decided only by the model (src/model/claims.ts).
 */
import { InvalidInputError } from '../errors.js';
import { MAX_LEASE_MS, isLive, readClaim, requireClaimToken, type TaskClaim } from '../model/claims.js';
import { timestampToNanos } from '../schema/timestamp.js';
import type { Task } from '../schema/task.js';
import type { TaskManager } from '../manager.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A lease length typed by a person: an integer with an optional unit, `ms` (the default), `s`,
 * `m`, `h` or `d` (`30s`, `5m`, `1h`, `1500`). From 1 ms to {@link MAX_LEASE_MS}; anything else is
 * an InvalidInputError naming `name` and what was given.
 */
export function parseLease(text: string, name = 'lease'): number {
  const match = /^\s*(\d{1,16})\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  const ms = match === null ? NaN : Number(match[1]) * (UNIT_MS[(match[2] ?? 'ms').toLowerCase()] as number);
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > MAX_LEASE_MS) {
    throw new InvalidInputError(
      `${name} must be a duration from 1ms to 366d such as 30s, 5m, 1h or 1500 (milliseconds), got ${JSON.stringify(text)}`,
    );
  }
  return ms;
}

/** A claim token typed by a person (a positive integer); an InvalidInputError otherwise. */
export function parseClaimToken(text: string, name = 'token'): number {
  const trimmed = text.trim();
  return requireClaimToken(/^\d{1,16}$/.test(trimmed) ? Number(trimmed) : text, name);
}

/** A task's claim as the front ends show it at one instant. */
export interface ClaimView {
  readonly agentId: string;
  readonly token: number;
  readonly claimedAt: string;
  readonly expiresAt: string;
  readonly leaseMs: number;
  /** Milliseconds of lease left at the instant asked about (0 once expired). */
  readonly remainingMs: number;
  /** True when the lease ran out: the claim no longer holds and the task is ready again. */
  readonly expired: boolean;
}

/** The claim of `task` as seen at `now` (an RFC 3339 timestamp), or null when it has none. O(1). */
export function claimView(task: Pick<Task, 'metadata'>, now: string): ClaimView | null {
  const claim = readClaim(task);
  if (claim === null) return null;
  const live = isLive(claim, now);
  const end = timestampToNanos(claim.expires_at);
  const at = timestampToNanos(now);
  const left = live && end !== null && at !== null ? Number((end - at) / 1_000_000n) : 0;
  return {
    agentId: claim.agent_id,
    token: claim.token,
    claimedAt: claim.claimed_at,
    expiresAt: claim.expires_at,
    leaseMs: claim.lease_ms,
    remainingMs: Math.max(0, left),
    expired: !live,
  };
}

/** `ms` in words a person reads at a glance: `45s`, `4m 59s`, `2h 5m`, `3d 1h`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return ms < 1000 ? `${ms}ms` : `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** One line about a claim (unescaped: callers escape it with the rest of their output). */
export function describeClaim(view: ClaimView): string {
  if (view.expired) return `claim of ${view.agentId} (token ${view.token}) expired at ${view.expiresAt}`;
  return `claimed by ${view.agentId}, token ${view.token}, ${formatDuration(view.remainingMs)} left (until ${view.expiresAt})`;
}

/** The instant the front ends judge claims at. */
export function nowTimestamp(): string {
  return new Date().toISOString();
}

/** What a claiming call returns: the task (null: nothing ready) and its claim (null: not leased). */
export interface ClaimResult {
  readonly task: Task | null;
  readonly claim: TaskClaim | null;
}

/**
 * Claims task `taskId`, or the first ready task when it is undefined, for `agentId`. With
 * `leaseMs` the claim is leased and carries a fencing token; without it the call is the plain claim
 * (no lease, no token). Refusals are the manager's.
 */
export async function claimFor(
  manager: TaskManager,
  sessionId: string,
  agentId: string,
  options: { taskId?: string; leaseMs?: number } = {},
): Promise<ClaimResult> {
  // The manager checks the lease (the same check, the same message): nothing to repeat here.
  const claimOptions = options.leaseMs === undefined ? undefined : { leaseMs: options.leaseMs };
  const task =
    options.taskId === undefined
      ? await manager.claimNextTask(sessionId, agentId, claimOptions)
      : await manager.claimTask(sessionId, options.taskId, agentId, claimOptions);
  return { task, claim: task === null ? null : readClaim(task) };
}

/** Extends the live claim `token` of `taskId` (by `leaseMs`, or by its own lease). */
export async function renewFor(
  manager: TaskManager,
  sessionId: string,
  taskId: string,
  token: number,
  leaseMs?: number,
): Promise<{ task: Task; claim: TaskClaim | null }> {
  const task = await manager.renewClaim(sessionId, taskId, token, leaseMs);
  return { task, claim: readClaim(task) };
}

/** Gives `taskId` back when `token` is its live claim. */
export function releaseFor(manager: TaskManager, sessionId: string, taskId: string, token: number): Promise<Task> {
  return manager.releaseClaim(sessionId, taskId, token);
}
