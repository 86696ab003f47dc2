/**
 * What the dashboard shows, computed from a stored list. This is the ONLY place where the
 * dashboard asks "is it blocked / ready / completable / verified": every answer comes from the
 * library's own rules (the task list's `isTaskBlocked`, the transaction's `readyTasks`, the status
 * rules' `completionBlocker`, the execution state's `satisfiesProfile`). The page never derives
 * them; it displays these fields.
 */
import { claimView, formatDuration, nowTimestamp } from '../app/claims.js';
import { describeChange, type HistoryPage } from '../app/history.js';
import type { TaskChangeEvent } from '../events.js';
import { printJson } from '../json/print.js';
import { defaultEnv } from '../model/env.js';
import { EXECUTION_STATE_KEY, MEMORY_LIFECYCLE_KEY } from '../model/metadata-records.js';
import { satisfiesProfile } from '../model/execution-state.js';
import { formatTaskStatus } from '../model/status.js';
import { activeBackgroundJob, blockingDependencies, completionBlocker, readyTasks } from '../model/readiness.js';
import { missingRequirements } from '../model/verification-gaps.js';
import type { TaskList } from '../model/task-list.js';
import { compareTimestamps } from '../schema/timestamp.js';
import { TaskTransaction } from '../model/transaction.js';
import type { TaskExecutionState } from '../schema/execution.js';
import type { TaskMemoryLifecycle } from '../schema/memory.js';
import type { TaskTreeNode } from '../schema/results.js';
import type { Task } from '../schema/task.js';
import type {
  ChangeLogEntry,
  ClaimInfo,
  JobView,
  SessionSummary,
  HistoryItem,
  SessionView,
  StatusCounts,
  TaskDetails,
  TaskRow,
  VerificationView,
} from './protocol.js';

/** The verification requirements a profile can switch on, in display order. */
const REQUIREMENTS = [
  'requires_mutation',
  'requires_build',
  'requires_test',
  'requires_external_evidence',
  'requires_launch_evidence',
] as const;

/**
 * Ids of the ready queue of `list`, in claim order: the same function `manager.readyTasks` runs (a
 * read-only transaction over the list; nothing is written, the env is never used). Compute it once
 * per list and pass it to the functions below.
 */
export function readyQueue(list: TaskList, now: string = nowTimestamp()): string[] {
  // The current time decides whether a leased claim still holds its task (the manager's rule).
  return readyTasks(list, now).map((t) => t.id);
}

/**
 * The leased claim of `task` at `now` as the page shows it, or null when it has none. Whether it
 * still holds is the model's rule (src/model/claims.ts, through src/app/claims.ts). O(1).
 */
export function claimInfo(task: Task, now: string): ClaimInfo | null {
  const view = claimView(task, now);
  if (view === null) return null;
  const left = view.expired ? 'expired' : `${formatDuration(view.remainingMs)} left`;
  return { ...view, label: `${view.agentId} · token ${view.token} · ${left}` };
}

/** Runs a read-only transaction query, or gives null when the stored record cannot be read. */
function readRecord<T>(list: TaskList, read: (tx: TaskTransaction) => T | null): T | null {
  const tx = new TaskTransaction(list, defaultEnv, { readOnly: true });
  try {
    return read(tx);
  } catch {
    return null; // a malformed record in metadata: shown as raw metadata only
  } finally {
    tx.close();
  }
}

function emptyCounts(): StatusCounts {
  return { NotStarted: 0, Blocked: 0, InProgress: 0, Completed: 0, Cancelled: 0 };
}

function countStatuses(list: TaskList): StatusCounts {
  const counts = emptyCounts();
  for (const task of list.tasks) counts[task.status]++;
  return counts;
}

function jobView(task: Task): JobView | null {
  const job = task.background_job;
  if (job == null) return null;
  return { status: job.status, active: activeBackgroundJob(task) !== null, jobId: job.job_id ?? null, message: job.message ?? null };
}

/** The session-list entry of `list` (`ready`: its {@link readyQueue}). O(n). */
export function sessionSummary(sessionId: string, list: TaskList, ready: readonly string[]): SessionSummary {
  let updatedAt: string | null = null;
  for (const task of list.tasks) {
    if (updatedAt === null || compareTimestamps(task.updated_at, updatedAt) > 0) updatedAt = task.updated_at;
  }
  const currentId = list.currentTaskId();
  const current = currentId === null ? null : list.findTask(currentId);
  return {
    id: sessionId,
    total: list.size,
    counts: countStatuses(list),
    ready: ready.length,
    updatedAt,
    current: current === null ? null : { id: current.id, name: current.name },
  };
}

/** Orders summaries most recently changed first (empty sessions last), then by id. */
export function compareSummaries(a: SessionSummary, b: SessionSummary): number {
  if (a.updatedAt !== b.updatedAt) {
    if (a.updatedAt === null) return 1;
    if (b.updatedAt === null) return -1;
    const byTime = compareTimestamps(b.updatedAt, a.updatedAt);
    if (byTime !== 0) return byTime;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The tree of `list` as rows in display order, each with its depth and subtree size. O(n log n). */
function treeRows(list: TaskList, readyIds: ReadonlySet<string>, now: string): TaskRow[] {
  const rows: TaskRow[] = [];
  const sizes: number[] = [];
  // Depth-first without recursion (a chain of 10,000 nested tasks must not overflow the stack).
  const stack: { node: TaskTreeNode; depth: number; exit: boolean; index: number }[] = [];
  const roots = list.buildTree();
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i] as TaskTreeNode, depth: 0, exit: false, index: -1 });
  while (stack.length > 0) {
    const frame = stack.pop() as (typeof stack)[number];
    if (frame.exit) {
      sizes[frame.index] = rows.length - frame.index - 1;
      continue;
    }
    const task = frame.node.task;
    const index = rows.length;
    rows.push({
      id: task.id,
      name: task.name,
      status: task.status,
      depth: frame.depth,
      subtree: 0,
      agentId: task.agent_id,
      waitsFor: task.blocked_by,
      blocked: list.isTaskBlocked(task.id),
      ready: readyIds.has(task.id),
      job: jobView(task),
      claim: claimInfo(task, now),
    });
    stack.push({ node: frame.node, depth: frame.depth, exit: true, index });
    const children = frame.node.children;
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i] as TaskTreeNode, depth: frame.depth + 1, exit: false, index: -1 });
  }
  return rows.map((row, i) => ({ ...row, subtree: sizes[i] ?? 0 }));
}

/**
 * Everything the page draws for a session (`ready`: its {@link readyQueue}; `now`: the instant
 * claims are judged at, the same one the ready queue used). O(n log n) for n tasks.
 */
export function sessionView(sessionId: string, location: string, list: TaskList, ready: readonly string[], now: string = nowTimestamp()): SessionView {
  const readyIds = new Set(ready);
  return {
    sessionId,
    location,
    currentTaskId: list.currentTaskId(),
    counts: countStatuses(list),
    rows: treeRows(list, readyIds, now),
    ready: [...ready],
  };
}

function verificationView(state: TaskExecutionState | null): VerificationView | null {
  if (state === null) return null;
  const profile = state.verification_profile;
  return {
    executionKind: profile.execution_kind,
    requires: REQUIREMENTS.filter((key) => profile[key]),
    satisfied: satisfiesProfile(state),
    missing: missingRequirements(state),
    evidence: state.evidence.map((e) => ({
      kind: e.kind,
      summary: e.summary,
      toolName: e.tool_name ?? null,
      command: e.command ?? null,
      success: e.success,
      recordedAt: e.recorded_at,
    })),
    lastRuntimeNote: state.last_runtime_note ?? null,
  };
}

function memoryView(lifecycle: TaskMemoryLifecycle | null): TaskDetails['memory'] {
  return (lifecycle?.events ?? []).map((e) => ({
    phase: e.phase,
    summary: e.summary,
    scope: e.scope ?? null,
    memoryType: e.memory_type ?? null,
    memoryFilePath: e.memory_file_path ?? null,
    recordedAt: e.recorded_at,
  }));
}

/** A page of history as the details panel shows it (newest first, each change in words). O(page). */
export function historyItems(page: HistoryPage): HistoryItem[] {
  return page.entries.map((e) => ({ seq: e.seq, time: e.time, actor: e.actor, operation: e.operation, type: e.change.type, text: describeChange(e.change) }));
}

/**
 * The details panel of task `id`, or null when the list has no such task (`readyIds`: its
 * {@link readyQueue}; `history`: the task's newest history entries, null when none is kept).
 */
export function taskDetails(
  list: TaskList,
  id: string,
  readyIds: ReadonlySet<string>,
  now: string = nowTimestamp(),
  history: HistoryPage | null = null,
): TaskDetails | null {
  const task = list.findTask(id);
  if (task === null) return null;
  // The dependencies that still hold the task back, by the model's rule (missing or open).
  const waitingFor = new Set(blockingDependencies(list, task));
  return {
    id: task.id,
    name: task.name,
    description: task.description,
    status: task.status,
    source: task.source,
    parentId: task.parent_id,
    agentId: task.agent_id,
    orchestratorTaskId: task.orchestrator_task_id,
    phase: task.phase ?? null,
    sortOrder: task.sort_order,
    createdAt: task.created_at,
    updatedAt: task.updated_at,
    current: list.currentTaskId() === task.id,
    blocked: list.isTaskBlocked(task.id),
    ready: readyIds.has(task.id),
    waitsFor: task.blocked_by.map((blockerId) => {
      const blocker = list.findTask(blockerId);
      return {
        id: blockerId,
        name: blocker?.name ?? null,
        status: blocker?.status ?? null,
        done: !waitingFor.has(blockerId),
      };
    }),
    job: jobView(task),
    claim: claimInfo(task, now),
    completionBlocker: completionBlocker(list, task.id)?.message ?? null,
    verification: verificationView(readRecord(list, (tx) => tx.getExecutionState(task.id))),
    memory: memoryView(readRecord(list, (tx) => tx.getMemoryLifecycle(task.id))),
    metadataJson: task.metadata === null ? null : printJson(task.metadata),
    history: history === null ? null : historyItems(history),
    historyMore: history?.more ?? false,
  };
}

function entryOf(metadata: Task['metadata'], key: string): string {
  const value = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata[key] : undefined;
  return JSON.stringify(value ?? null);
}

/** What an update changed, in words (`job Running → Succeeded, evidence`). Display only. */
function describeUpdate(before: Task, after: Task): string {
  const parts: string[] = [];
  if (before.name !== after.name) parts.push(`renamed from “${before.name}”`);
  if (before.description !== after.description) parts.push('description');
  if (before.agent_id !== after.agent_id) parts.push(`agent ${after.agent_id ?? '–'}`);
  const jobBefore = before.background_job?.status ?? '–';
  const jobAfter = after.background_job?.status ?? '–';
  if (jobBefore !== jobAfter) parts.push(`job ${jobBefore} → ${jobAfter}`);
  if (before.blocked_by.join('\n') !== after.blocked_by.join('\n')) parts.push('dependencies');
  if (before.parent_id !== after.parent_id) parts.push('moved');
  if (entryOf(before.metadata, EXECUTION_STATE_KEY) !== entryOf(after.metadata, EXECUTION_STATE_KEY)) parts.push('evidence');
  if (entryOf(before.metadata, MEMORY_LIFECYCLE_KEY) !== entryOf(after.metadata, MEMORY_LIFECYCLE_KEY)) parts.push('memory');
  if (parts.length === 0 && JSON.stringify(before.metadata) !== JSON.stringify(after.metadata)) parts.push('metadata');
  return parts.join(', ');
}

/** One line of the live log for a change event. */
export function changeLogEntry(event: TaskChangeEvent, seenAt: Date): ChangeLogEntry {
  const at = seenAt.toISOString();
  switch (event.type) {
    case 'created':
      return { type: event.type, taskId: event.task.id, text: `created “${event.task.name}”`, seenAt: at };
    case 'updated': {
      const what = describeUpdate(event.previous, event.task);
      return { type: event.type, taskId: event.task.id, text: `updated “${event.task.name}”${what === '' ? '' : `: ${what}`}`, seenAt: at };
    }
    case 'status_changed':
      return {
        type: event.type,
        taskId: event.task.id,
        text: `“${event.task.name}”: ${formatTaskStatus(event.from)} → ${formatTaskStatus(event.to)}`,
        seenAt: at,
      };
    case 'deleted':
      return { type: event.type, taskId: event.task.id, text: `deleted “${event.task.name}”`, seenAt: at };
    case 'current_changed':
      return { type: event.type, taskId: event.to, text: `current task ${event.from ?? '–'} → ${event.to ?? '–'}`, seenAt: at };
    case 'list_replaced':
      return { type: event.type, taskId: null, text: `list replaced (${event.taskCount} tasks)`, seenAt: at };
  }
}

/**
 * The log lines of one batch of events: an `updated` event that comes with a `status_changed` for
 * the same task is folded into it.
 */
export function changeLogEntries(events: readonly TaskChangeEvent[], seenAt: Date): ChangeLogEntry[] {
  const statusChanged = new Set(events.flatMap((e) => (e.type === 'status_changed' ? [e.task.id] : [])));
  return events.filter((e) => !(e.type === 'updated' && statusChanged.has(e.task.id))).map((e) => changeLogEntry(e, seenAt));
}
