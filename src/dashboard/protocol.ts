/**
 * The JSON the dashboard server sends and the page reads: shared by both sides (types and a few
 * constants, no imports), so the browser bundle and the server agree on one shape. Everything derived
 * ("blocked", "ready", "can complete", "verified") is computed by the server from the library's
 * rules; the page only displays these fields.
 */

/** The five task statuses, as stored (`NotStarted`, …). */
export type StatusName = 'NotStarted' | 'Blocked' | 'InProgress' | 'Completed' | 'Cancelled';

/** Number of tasks per status. */
export type StatusCounts = Record<StatusName, number>;

/** One session in the session list. */
export interface SessionSummary {
  readonly id: string;
  readonly total: number;
  readonly counts: StatusCounts;
  /** Number of tasks in the ready queue. */
  readonly ready: number;
  /** Newest `updated_at` of its tasks, or null for an empty session. */
  readonly updatedAt: string | null;
  /** The session's current task, with its name, or null. */
  readonly current: { readonly id: string; readonly name: string } | null;
  /** The session could not be read (a corrupt file): the reason. */
  readonly error?: string;
}

/** A task's background job, as shown. */
export interface JobView {
  readonly status: string;
  readonly active: boolean;
  readonly jobId: string | null;
  readonly message: string | null;
}

/** One row of the task tree. Rows come in tree order (depth first, children sorted). */
/**
 * A task's leased claim as of when the server built the view (README, "Leased claims"). The lease
 * left is a snapshot: the page shows it and `expiresAt`, and never judges a claim itself.
 */
export interface ClaimInfo {
  readonly agentId: string;
  /** The fencing token of the claim. */
  readonly token: number;
  readonly claimedAt: string;
  readonly expiresAt: string;
  readonly leaseMs: number;
  /** Milliseconds of lease left when the view was built (0 once expired). */
  readonly remainingMs: number;
  /** True when the lease ran out: the claim no longer holds and the task is ready again. */
  readonly expired: boolean;
  /** What the page shows: `agent · token 3 · 4m 12s left` or `agent · token 3 · expired`. */
  readonly label: string;
}

export interface TaskRow {
  readonly id: string;
  readonly name: string;
  readonly status: StatusName;
  readonly depth: number;
  /** Number of rows below this one that belong to its subtree (skip them when collapsed). */
  readonly subtree: number;
  readonly agentId: string | null;
  /** Ids this task waits for (its `blocked_by`). */
  readonly waitsFor: readonly string[];
  /** True when some dependency is missing or still open (the library's `isTaskBlocked`). */
  readonly blocked: boolean;
  /** True when the task is in the ready queue (the library's `readyTasks`). */
  readonly ready: boolean;
  readonly job: JobView | null;
  /** The task's leased claim, or null when it has none. */
  readonly claim: ClaimInfo | null;
}

/** A whole session, as the page draws it. */
export interface SessionView {
  readonly sessionId: string;
  /** Where the session is stored (the file path for the file store). */
  readonly location: string;
  readonly currentTaskId: string | null;
  readonly counts: StatusCounts;
  readonly rows: readonly TaskRow[];
  /** Ids of the ready queue, in the order an agent would claim it (names are in `rows`). */
  readonly ready: readonly string[];
}

/** A task this one waits for, with what stops it from counting as done. */
export interface DependencyView {
  readonly id: string;
  readonly name: string | null;
  readonly status: StatusName | null;
  /** False when the dependency is missing or not terminal. */
  readonly done: boolean;
}

/** One piece of execution evidence. */
export interface EvidenceView {
  readonly kind: string;
  readonly summary: string;
  readonly toolName: string | null;
  readonly command: string | null;
  readonly success: boolean;
  readonly recordedAt: string;
}

/** A task's verification profile and whether its evidence meets it. */
export interface VerificationView {
  readonly executionKind: string;
  /** The profile's requirements that are switched on (`requires_test`, …). */
  readonly requires: readonly string[];
  readonly satisfied: boolean;
  /** Requirements the evidence does not meet yet (empty when satisfied). */
  readonly missing: readonly string[];
  readonly evidence: readonly EvidenceView[];
  readonly lastRuntimeNote: string | null;
}

/** One memory event. */
export interface MemoryEventView {
  readonly phase: string;
  readonly summary: string;
  readonly scope: string | null;
  readonly memoryType: string | null;
  readonly memoryFilePath: string | null;
  readonly recordedAt: string;
}

/** One entry of a task's history (README "History"), as shown. */
export interface HistoryItem {
  readonly seq: number;
  readonly time: string;
  /** Who made the change, when known. */
  readonly actor: string | null;
  /** The library operation of the commit. */
  readonly operation: string;
  /** The change's type (`status_changed`, `claim_taken`, …). */
  readonly type: string;
  /** The change in words: `status in_progress → completed`, `claim taken, token 3, until …`. */
  readonly text: string;
}

/** Everything about one task, for the details panel. */
export interface TaskDetails {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly status: StatusName;
  readonly source: string;
  readonly parentId: string | null;
  readonly agentId: string | null;
  readonly orchestratorTaskId: string | null;
  readonly phase: string | null;
  readonly sortOrder: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly current: boolean;
  readonly blocked: boolean;
  readonly ready: boolean;
  readonly waitsFor: readonly DependencyView[];
  readonly job: JobView | null;
  /** The task's leased claim, or null when it has none. */
  readonly claim: ClaimInfo | null;
  /** Null when the task may be completed now; else why not (the library's completion check). */
  readonly completionBlocker: string | null;
  readonly verification: VerificationView | null;
  readonly memory: readonly MemoryEventView[];
  /** The metadata as pretty-printed JSON, or null when there is none. */
  readonly metadataJson: string | null;
  /** The task's newest history entries, newest first; null when the server keeps no history. */
  readonly history: readonly HistoryItem[] | null;
  /** True when older entries of the task's history were left out. */
  readonly historyMore: boolean;
}

/** A change, as shown in the live log. */
export interface ChangeLogEntry {
  readonly type: string;
  readonly taskId: string | null;
  readonly text: string;
  /** When the server saw it (ISO time). */
  readonly seenAt: string;
}

/** The payload of a `changes` server-sent event. */
export interface ChangesMessage {
  readonly sessionId: string;
  readonly entries: readonly ChangeLogEntry[];
}

/** The payload of the `hello` server-sent event sent on every (re)connection. */
export interface HelloMessage {
  readonly sessionId: string | null;
  readonly writable: boolean;
  /** Entries missed since the `Last-Event-ID` the browser sent, when still known. */
  readonly missed: readonly ChangeLogEntry[];
}

/** What GET /api/info returns. */
export interface ServerInfo {
  readonly writable: boolean;
  readonly version: string;
  readonly location: string;
}

/** Body of POST /api/sessions/:id/tasks/:taskId/status. */
export interface StatusRequest {
  readonly status: string;
}

/** Body of POST /api/sessions/:id/tasks. */
export interface AddTaskRequest {
  readonly name: string;
  readonly description?: string;
  readonly parentId?: string | null;
}

/**
 * Body of POST /api/sessions/:id/claim. The claim is always leased: `leaseMs` milliseconds, or
 * `lease` as typed (`30s`, `5m`, `1h`), default {@link DEFAULT_DASHBOARD_LEASE_MS}.
 */
export interface ClaimRequest {
  readonly agentId: string;
  readonly leaseMs?: number;
  readonly lease?: string;
}

/** What POST /api/sessions/:id/claim returns: the task claimed (id null: nothing ready) and its claim. */
export interface ClaimResponse {
  readonly id: string | null;
  readonly status?: StatusName;
  readonly claim?: ClaimInfo;
}

/** The lease of a claim taken through the page when it names none: 30 minutes. */
export const DEFAULT_DASHBOARD_LEASE_MS = 30 * 60 * 1000;

/** How many history entries the details of a task carry. */
export const DETAILS_HISTORY_LIMIT = 50;

/** The header that carries the write token. */
export const TOKEN_HEADER = 'x-gestura-token';
