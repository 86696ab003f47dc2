/**
 * The runtime snapshot: where a session stands, in the terms an agent loop acts on (current task,
 * what is ready, what waits and why, what still lacks verification evidence). Pure: computed from
 * a {@link TaskList}, never stored.
 */
import { InvalidInputError, TaskSerializationError } from '../errors.js';
import { cloneJson } from '../json/value.js';
import { TaskStatus } from '../schema/enums.js';
import type { TaskBackgroundJob } from '../schema/background-job.js';
import { TaskExecutionStateSchema, type TaskExecutionState } from '../schema/execution.js';
import type { Task } from '../schema/task.js';
import { EXECUTION_STATE_KEY, readMetadataRecord } from './metadata-records.js';
import { formatTaskStatus } from './status.js';
import { activeBackgroundJob, blockingDependencies, isHeldBack, isOpen, openSubtasks, readyTasks } from './readiness.js';
import { TaskList } from './task-list.js';
import { requireId } from './validate.js';
import { missingRequirements, type VerificationRequirement } from './verification-gaps.js';

// ------------------------------------------------------------------------------------------------
// Readiness adapter. The rules for "open", "ready" and "blocked" are defined once elsewhere in the
// model (the completion gate and the ready queue use them); this block is the only place this
// module reaches them, so they can be repointed in one spot.

/** True when the task is open (not terminal). Agent views use this, not the status rules directly. */
export const isOpenTask = (task: Task): boolean => isOpen(task);

// ------------------------------------------------------------------------------------------------

/** A short reference to a task; `name` and `status` are null for an id missing from the list. */
export interface TaskRef {
  readonly id: string;
  readonly name: string | null;
  readonly status: TaskStatus | null;
}

/** An open task that cannot go ahead, with everything it waits for. */
export interface BlockedTaskInfo {
  readonly task: Task;
  /** Dependencies (`blocked_by`) that are missing or still open. */
  readonly waiting_for: TaskRef[];
  /** Open descendants, in descendant order. */
  readonly open_subtasks: TaskRef[];
  /** The background job, when it is still active. */
  readonly job: TaskBackgroundJob | null;
}

/** An open task whose execution evidence does not meet its verification profile yet. */
export interface MissingRequirementInfo {
  readonly task: Task;
  /** What is missing; `execution_state` when the stored state cannot be read. */
  readonly missing: (VerificationRequirement | 'execution_state')[];
}

/** Where a session (or one subtree of it) stands. Tasks are copies; lists are in list order unless noted. */
export interface RuntimeSnapshot {
  readonly session_id: string;
  /** The subtree the snapshot covers, or null for the whole session. */
  readonly root_id: string | null;
  /** The current task (null when none, or when it is outside `root_id`'s subtree). */
  readonly current_task: Task | null;
  readonly in_progress_tasks: Task[];
  /** The ready queue, in priority order (`sort_order`, then age). */
  readonly ready_tasks: Task[];
  /** Ready tasks whose verification profile is `parallel_safe`, in ready order. */
  readonly parallel_ready_tasks: Task[];
  readonly blocked_tasks: BlockedTaskInfo[];
  readonly open_tasks: Task[];
  readonly completed_tasks: Task[];
  readonly cancelled_tasks: Task[];
  readonly missing_requirements: MissingRequirementInfo[];
  /** One line for humans and models, e.g. `Current: 'X' (in_progress). 2 ready, 1 blocked, …`. */
  readonly status_message: string;
}

function ref(list: TaskList, id: string): TaskRef {
  const task = list.findTask(id);
  return { id, name: task?.name ?? null, status: task?.status ?? null };
}

function copy(task: Task): Task {
  return cloneJson(task);
}

type StateRead = { state: TaskExecutionState | null } | { unreadable: true };

function readState(task: Task): StateRead {
  try {
    return { state: readMetadataRecord(task, EXECUTION_STATE_KEY, TaskExecutionStateSchema) };
  } catch (error) {
    if (error instanceof TaskSerializationError) return { unreadable: true };
    throw error;
  }
}

/** The tasks a snapshot covers: the whole list, or `rootId` and its descendants (NotFound when missing). */
function scopeOf(list: TaskList, rootId: string | null): Task[] {
  if (rootId === null) return [...list.tasks];
  const inScope = new Set<Task>([list.getTask(rootId), ...list.descendants(rootId)]);
  return list.tasks.filter((t) => inScope.has(t));
}

/** True when a background job holds the task back (it waits for something, not just runs). */

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function statusMessage(s: Omit<RuntimeSnapshot, 'status_message'>, total: number): string {
  if (total === 0) return 'No tasks.';
  if (s.open_tasks.length === 0) {
    return `All ${plural(total, 'task')} finished (${s.completed_tasks.length} completed, ${s.cancelled_tasks.length} cancelled).`;
  }
  const parts: string[] = [];
  const current = s.current_task;
  const head = current === null ? 'No current task.' : `Current: '${current.name}' (${formatTaskStatus(current.status)}).`;
  parts.push(`${s.in_progress_tasks.length} in progress`);
  const parallel = s.parallel_ready_tasks.length > 0 ? ` (${s.parallel_ready_tasks.length} parallel-safe)` : '';
  parts.push(`${s.ready_tasks.length} ready${parallel}`);
  parts.push(`${s.blocked_tasks.length} blocked`);
  parts.push(`${s.open_tasks.length} open of ${total}`);
  parts.push(`${s.completed_tasks.length} completed`);
  if (s.cancelled_tasks.length > 0) parts.push(`${s.cancelled_tasks.length} cancelled`);
  const gaps = s.missing_requirements.length > 0 ? ` ${plural(s.missing_requirements.length, 'open task')} lack verification evidence.` : '';
  return `${head} ${parts.join(', ')}.${gaps}`;
}

/**
 * The runtime snapshot of `list`, or of `rootId`'s subtree (root included; NotFound when missing).
 * Ready, blocked and open come from the model's single definitions (see the adapter above); with
 * `now`, a task under an expired claim counts as ready (see `readyTasks` in readiness.ts).
 * O(n) plus, for each blocked task, a walk of its descendants.
 */
export function runtimeSnapshot(list: TaskList, rootId: string | null = null, now?: string): RuntimeSnapshot {
  if (!(list instanceof TaskList)) throw new InvalidInputError('runtimeSnapshot needs a TaskList');
  if (rootId !== null) requireId(rootId, 'rootId');
  const scope = scopeOf(list, rootId);
  const inScope = new Set(scope);
  const ready = readyTasks(list, now).filter((t) => inScope.has(t));
  const readySet = new Set(ready);
  const open = scope.filter(isOpen);

  const states = new Map<Task, StateRead>();
  const stateOf = (task: Task): StateRead => {
    let read = states.get(task);
    if (read === undefined) {
      read = readState(task);
      states.set(task, read);
    }
    return read;
  };

  const parallel = ready.filter((t) => {
    const read = stateOf(t);
    return 'state' in read && read.state !== null && read.state.verification_profile.parallel_safe;
  });

  const blocked: BlockedTaskInfo[] = [];
  for (const task of open) {
    if (readySet.has(task)) continue;
    if (!isHeldBack(list, task)) continue;
    const job = activeBackgroundJob(task);
    const waiting = blockingDependencies(list, task);
    blocked.push({
      task: copy(task),
      waiting_for: waiting.map((id) => ref(list, id)),
      open_subtasks: openSubtasks(list, task.id).map((t) => ref(list, t.id)),
      job: job === null ? null : cloneJson(job),
    });
  }

  const missing: MissingRequirementInfo[] = [];
  for (const task of open) {
    const read = stateOf(task);
    if ('unreadable' in read) missing.push({ task: copy(task), missing: ['execution_state'] });
    else if (read.state !== null) {
      const gaps = missingRequirements(read.state);
      if (gaps.length > 0) missing.push({ task: copy(task), missing: gaps });
    }
  }

  const currentId = list.currentTaskId();
  const current = currentId === null ? null : list.findTask(currentId);
  const snapshot: Omit<RuntimeSnapshot, 'status_message'> = {
    session_id: list.sessionId,
    root_id: rootId,
    current_task: current !== null && inScope.has(current) ? copy(current) : null,
    in_progress_tasks: open.filter((t) => t.status === TaskStatus.InProgress).map(copy),
    ready_tasks: ready.map(copy),
    parallel_ready_tasks: parallel.map(copy),
    blocked_tasks: blocked,
    open_tasks: open.map(copy),
    completed_tasks: scope.filter((t) => t.status === TaskStatus.Completed).map(copy),
    cancelled_tasks: scope.filter((t) => t.status === TaskStatus.Cancelled).map(copy),
    missing_requirements: missing,
  };
  return { ...snapshot, status_message: statusMessage(snapshot, scope.length) };
}
