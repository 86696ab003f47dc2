/**
 * Every task operation, applied to one session's working list in memory.
 *
 * A {@link TaskTransaction} is what `TaskManager.batch` hands to its callback, and what each
 * single `TaskManager` method uses internally: the manager locks the session, gives the
 * transaction a copy of the freshest list, and writes the result once if anything changed. So one
 * set of rules serves single calls and batches, and a failing operation leaves nothing behind.
 * Inputs are validated here; results are copies, never the list's own objects.
 */
import { InvalidInputError, TaskError } from '../errors.js';
import { cloneJson, type JsonValue } from '../json/value.js';
import { transferRawNumbers } from '../json/raw-numbers.js';
import { RequirementBreakdownTaskSpecSchema, type RequirementBreakdownTaskSpec } from '../schema/breakdown.js';
import { TaskBackgroundJobSchema, type TaskBackgroundJob } from '../schema/background-job.js';
import { TaskSource, TaskStatus, TaskStatusSchema, TaskMemoryPhase } from '../schema/enums.js';
import { TaskExecutionStateSchema, type TaskExecutionState } from '../schema/execution.js';
import { EXECUTION_STATE_FORM, MEMORY_LIFECYCLE_FORM } from '../schema/json-forms.js';
import { TaskMemoryEventSchema, TaskMemoryLifecycleSchema, type TaskMemoryEvent, type TaskMemoryLifecycle } from '../schema/memory.js';
import type { AutoTrackedExecutionPlan, MaterializedTaskBreakdown, TaskTreeNode, TrackedTaskFinalization } from '../schema/results.js';
import type { Task } from '../schema/task.js';
import { checkBreakdownParent, materializeBreakdown } from './breakdown.js';
import {
  CLAIM_KEY,
  CLAIM_TOKEN_KEY,
  claimToJson,
  claimTokenOf,
  fenceViolation,
  hasExpiredClaim,
  nextClaimToken,
  leaseOf,
  liveClaim,
  metadataWithoutClaim,
  newClaim,
  readClaim,
  renewedClaim,
  requireClaimToken,
  requireLeaseMs,
  type ClaimOptions,
  type FenceOptions,
} from './claims.js';
import type { ModelEnv } from './env.js';
import { EVIDENCE_WINDOW, defaultExecutionState } from './execution-state.js';
import {
  EXECUTION_STATE_KEY,
  MEMORY_LIFECYCLE_KEY,
  readMetadataRecord,
  recordToJson,
  withMetadataEntries,
} from './metadata-records.js';
import { createTaskRecord, newMemoryEvent } from './records.js';
import { buildTree } from './graph.js';
import { cancelOpenDescendants } from './cancel-sweep.js';
import { hasOpenSubtasks, isOpen, openSubtasks, firstReadyTask, readiness, readyTasks, type Readiness } from './readiness.js';
import { renderSnapshotForPrompt, type RenderForPromptOptions } from './prompt-render.js';
import { runtimeSnapshot, type RuntimeSnapshot } from './runtime-snapshot.js';
import { applyStatus } from './status-rules.js';
import { formatTaskStatus, parseTaskStatus } from './status.js';
import { TaskList } from './task-list.js';
import { rustTrim } from './text.js';
import {
  optionalString,
  requireBoolean,
  requireFunction,
  requireId,
  requireInteger,
  requireJson,
  requireSchema,
  requireString,
  requireTaskName,
} from './validate.js';

/** The range of Rust's i32, the type of `toolCalls` and `durationMs`. */
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/** How many open subtasks an auto-tracked plan lists. */
export const PLANNED_SUBTASKS_SHOWN = 8;

/** Accepts a {@link TaskStatus} value or any text `parseTaskStatus` understands. */
function toStatus(value: unknown): TaskStatus {
  const exact = TaskStatusSchema.safeParse(value);
  if (exact.success) return exact.data;
  if (typeof value === 'string') return parseTaskStatus(value);
  throw new InvalidInputError(`status must be a task status, got ${value === null ? 'null' : typeof value}`);
}

/** Options of a {@link TaskTransaction}. */
export interface TaskTransactionOptions {
  /** Every changing operation fails with InvalidInput; the list is never changed. Default false. */
  readonly readOnly?: boolean;
}

/**
 * The working list of a transaction, for the manager (which writes it). Not exported from the
 * package: callers of `batch` can change the list only through the transaction's checked
 * operations.
 */
export let transactionList: (tx: TaskTransaction) => TaskList;

/**
 * The agent whose live claim the transaction's fenced calls proved (a write with the claim's
 * token, a renewal, a release), or null: the manager names it as the actor of the commit's history
 * entries. Not exported from the package.
 */
export let transactionFencedBy: (tx: TaskTransaction) => string | null;

/**
 * The operations of one session on an in-memory working list.
 *
 * Cost: each operation states its complexity, n being the number of tasks in the session; every
 * operation also reads its input once. Lookups by id are O(1). Changing operations record undo
 * steps, so a failing one is undone in O(its changes). Results are copies: add O(size of the
 * returned tasks). No operation is worse than O(n log n + input), except on hand-edited files with
 * duplicated ids or a loop of open tasks through the swept task (see cancel-sweep.ts).
 */
export class TaskTransaction {
  static {
    transactionList = (tx) => tx.#list;
    transactionFencedBy = (tx) => tx.#fencedBy;
  }

  readonly #list: TaskList;
  readonly #env: ModelEnv;
  readonly #readOnly: boolean;
  #dirty = false;
  #replaced = false;
  #open = true;
  #fencedBy: string | null = null;

  /** Operates on `list` in place; `env` supplies time and ids. */
  constructor(list: TaskList, env: ModelEnv, options: TaskTransactionOptions = {}) {
    this.#list = list;
    this.#env = env;
    this.#readOnly = options.readOnly === true;
  }

  /** The session of this transaction. */
  get sessionId(): string {
    return this.#list.sessionId;
  }

  /** True once any operation changed the list. */
  get changed(): boolean {
    return this.#dirty;
  }

  /** True when `replaceTaskList` was used. */
  get replaced(): boolean {
    return this.#replaced;
  }

  /** Ends the transaction: later calls fail with InvalidInput. */
  close(): void {
    this.#open = false;
  }

  /** Runs one operation so that it either fully happens or leaves the list as it was. */
  #atomic<T>(operation: () => T): T {
    const list = this.#read();
    if (this.#readOnly) throw new InvalidInputError('this transaction is read-only; change tasks through TaskManager.batch or the manager methods');
    const wasDirty = this.#dirty;
    const wasReplaced = this.#replaced;
    const wasFencedBy = this.#fencedBy;
    const marker = list.savepoint();
    try {
      const result = operation();
      list.release(marker);
      return result;
    } catch (error) {
      list.rollback(marker);
      this.#dirty = wasDirty;
      this.#replaced = wasReplaced;
      this.#fencedBy = wasFencedBy;
      throw error;
    }
  }

  #read(): TaskList {
    if (!this.#open) throw new InvalidInputError('this batch has already finished; use the transaction only inside its callback');
    return this.#list;
  }

  /** Checks the id argument and finds the task (NotFound): the first step of every call naming a task. */
  #find(id: unknown): string {
    const taskId = requireId(id, 'task id');
    this.#read().getTask(taskId);
    return taskId;
  }

  /**
   * The claim check of an operation an agent may fence (README, "Leased claims"). With a
   * `claimToken` in `options`, refuses (InvalidInput, "claim lost", nothing changed) unless it is the
   * task's live claim. Without one, a claim whose lease ran out is dropped first: the task goes back
   * to NotStarted with no agent, then the operation applies. O(1), or O(n) when a claim is dropped.
   */
  #fence(taskId: string, options: FenceOptions | undefined): void {
    const token = claimTokenOf(options);
    const task = this.#read().getTask(taskId);
    // The clock is read only when a claim is involved, so calls without claims are exactly as before.
    if (token === null && readClaim(task) === null) return;
    const now = this.#env.clock.now();
    if (token !== null) {
      this.#proveClaim(task, token, now);
      return;
    }
    if (isOpen(task) && hasExpiredClaim(task, now)) this.#dropClaim(taskId, TaskStatus.NotStarted);
  }

  /**
   * Refuses (InvalidInput, "claim lost") unless `token` is the live claim of `task` at `now`; when
   * it is, its agent is who acts in this transaction. O(1).
   */
  #proveClaim(task: Task, token: number, now: string): void {
    const violation = fenceViolation(task, token, now);
    if (violation !== null) throw violation;
    this.#fencedBy = (readClaim(task) as NonNullable<ReturnType<typeof readClaim>>).agent_id;
  }

  /** Removes the task's claim and agent; with `status`, sets it too (open tasks only). O(n). */
  #dropClaim(taskId: string, status: TaskStatus | null): Task {
    const list = this.#write();
    const task = list.getTask(taskId);
    let updated = list.updateTask(taskId, { agent_id: null, metadata: metadataWithoutClaim(task) }, this.#env.clock);
    if (status !== null && isOpen(updated)) updated = applyStatus(list, taskId, status, this.#env.clock);
    return updated;
  }

  /**
   * Gives ready task `taskId` to `agent`: drops an expired claim, records a new claim when `lease`
   * is given (with the session's next fencing token), sets `agent_id` and InProgress. O(n).
   */
  #take(taskId: string, agent: string, lease: number | null, now: string | undefined): Task {
    const list = this.#write();
    const task = list.getTask(taskId);
    let metadata = metadataWithoutClaim(task);
    if (lease !== null && now !== undefined) {
      const token = nextClaimToken(list);
      list.setExtra(CLAIM_TOKEN_KEY, token);
      metadata = withMetadataEntries({ ...task, metadata }, { [CLAIM_KEY]: claimToJson(newClaim(agent, token, now, lease)) });
    }
    list.updateTask(taskId, { agent_id: agent, metadata }, this.#env.clock);
    return cloneJson(applyStatus(list, taskId, TaskStatus.InProgress, this.#env.clock));
  }

  #write(): TaskList {
    const list = this.#read();
    this.#dirty = true;
    return list;
  }

  // ----------------------------------------------------------------------------------------------
  // Creation and editing

  /** Creates a user task (optionally under `parentId`, which must exist in the session). O(1). */
  createTask(name: string, description: string, parentId?: string | null): Task {
    return this.#atomic(() => {
      return this.#create({ name, description, parentId, source: TaskSource.User });
    });
  }

  /** Creates an agent task (source Agent) with an optional agent id and parent. O(1). */
  createAgentTask(name: string, description: string, agentId?: string | null, parentId?: string | null): Task {
    return this.#atomic(() => {
      return this.#create({ name, description, parentId, source: TaskSource.Agent, agentId });
    });
  }

  /**
   * Creates a task mirroring an orchestrator task: no parent, source Orchestrator, `metadata` =
   * `context`, and a Queued background job. O(size of the context).
   */
  createOrchestratorTask(
    orchestratorTaskId: string,
    agentId: string,
    name: string,
    description: string,
    context?: JsonValue | null,
  ): Task {
    return this.#atomic(() => {
      const orchestrator = requireString(orchestratorTaskId, 'orchestratorTaskId');
      const agent = requireString(agentId, 'agentId');
      const metadata = context === undefined || context === null ? null : cloneJson(requireJson(context, 'context'));
      return this.#create({
        name,
        description,
        source: TaskSource.Orchestrator,
        orchestratorTaskId: orchestrator,
        agentId: agent,
        metadata,
        backgroundJob: { status: 'Queued', message: 'Created by orchestrator' },
      });
    });
  }

  #create(fields: {
    name: unknown;
    description: unknown;
    parentId?: unknown;
    source: TaskSource;
    agentId?: unknown;
    orchestratorTaskId?: string;
    metadata?: JsonValue;
    backgroundJob?: TaskBackgroundJob;
  }): Task {
    const parentId = optionalString(fields.parentId, 'parentId');
    const list = this.#read();
    if (parentId !== null) list.getTask(parentId);
    const name = requireTaskName(fields.name);
    const description = requireString(fields.description, 'description');
    const task = createTaskRecord(
      {
        sessionId: list.sessionId,
        name,
        description,
        parentId,
        source: fields.source,
        agentId: optionalString(fields.agentId, 'agentId'),
        orchestratorTaskId: fields.orchestratorTaskId ?? null,
        metadata: fields.metadata ?? null,
        backgroundJob: fields.backgroundJob,
      },
      this.#env,
    );
    this.#write().addTask(task);
    return cloneJson(task);
  }

  /** Changes the name and/or description of a task. O(1). */
  updateTask(id: string, name?: string | null, description?: string | null): Task {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const patch: { name?: string; description?: string } = {};
      if (name !== undefined && name !== null) patch.name = requireTaskName(name);
      if (description !== undefined && description !== null) patch.description = requireString(description, 'description');
      return cloneJson(this.#write().updateTask(taskId, patch, this.#env.clock));
    });
  }

  /**
   * Sets a task's status (completion check when Completed), clears the current pointer if it
   * became terminal, and reconciles its ancestors. `status` may also be text such as `done`.
   * O(n): the ancestor walk carries "has an open descendant" up the chain.
   */
  updateTaskStatus(id: string, status: TaskStatus | string, options?: FenceOptions): Task {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const next = toStatus(status);
      this.#fence(taskId, options);
      return cloneJson(applyStatus(this.#write(), taskId, next, this.#env.clock));
    });
  }

  /** Removes a task (and its id from other tasks' `blocked_by`); returns it. O(n + dependencies). */
  deleteTask(id: string): Task {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      return cloneJson(this.#write().removeTask(taskId, this.#env.clock) as Task);
    });
  }

  /**
   * Makes `taskId` wait for `blockerId`. Returns false when the dependency already existed.
   * O(n + dependencies) for the cycle check.
   */
  addTaskDependency(taskId: string, blockerId: string): boolean {
    return this.#atomic(() => {
      const task = requireId(taskId, 'task id');
      const blocker = requireId(blockerId, 'blocker id');
      const list = this.#read();
      const added = list.addDependency(task, blocker, this.#env.clock);
      if (added) this.#write();
      return added;
    });
  }

  /** Sets (or with null clears) a task's background job. O(1) plus the job's size. */
  setTaskBackgroundJob(id: string, job: TaskBackgroundJob | null): Task {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const next = job === null || job === undefined ? undefined : requireSchema(TaskBackgroundJobSchema, cloneJson(job), 'job');
      return cloneJson(this.#write().updateTask(taskId, { background_job: next }, this.#env.clock));
    });
  }

  /** Replaces a task's metadata with `metadata` (any JSON). O(size of the metadata). */
  updateTaskMetadata(id: string, metadata: JsonValue | null): Task {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      // Only null clears the metadata; undefined is not JSON and must not wipe it silently.
      const value = metadata === null ? null : cloneJson(requireJson(metadata, 'metadata'));
      return cloneJson(this.#write().updateTask(taskId, { metadata: value }, this.#env.clock));
    });
  }

  /** Points the current task at `id` (which must exist) or clears it with null. O(1). */
  setCurrentTaskId(id: string | null): void {
    return this.#atomic(() => {
      const taskId = id === null || id === undefined ? null : requireId(id, 'task id');
      this.#read();
      this.#write().setCurrentTaskId(taskId);
    });
  }

  /** Replaces the whole list with `list` (validated; its session must be this session). O(size of the list). */
  replaceTaskList(list: TaskList): void {
    return this.#atomic(() => {
      if (!(list instanceof TaskList)) throw new InvalidInputError('replaceTaskList needs a TaskList');
      const data = requireJson(list.toJSON(), 'list', { skipUndefinedProperties: true });
      let copy: TaskList;
      try {
        copy = TaskList.fromJSON(cloneJson(data));
      } catch (error) {
        if (error instanceof TaskError) throw new InvalidInputError(`list is not a valid task list: ${error.message}`, { cause: error });
        throw error;
      }
      if (copy.sessionId !== this.sessionId) {
        throw new InvalidInputError(`task list of session '${copy.sessionId}' cannot replace session '${this.sessionId}'`);
      }
      this.#write().replaceWith(copy);
      this.#replaced = true;
    });
  }

  // ----------------------------------------------------------------------------------------------
  // Reads

  /** The task, or null. O(size of the task). */
  getTask(id: string): Task | null {
    const task = this.#read().findTask(requireId(id, 'task id'));
    return task === null ? null : cloneJson(task);
  }

  /** All tasks in list order. O(n). */
  listTasks(): Task[] {
    return this.#read().tasks.map((t) => cloneJson(t));
  }

  /** Each root task with its direct subtasks (list order). O(n). */
  getHierarchy(): [Task, Task[]][] {
    const list = this.#read();
    return list.rootTasks().map((root) => [cloneJson(root), list.subtasks(root.id).map((t) => cloneJson(t))]);
  }

  /** Descendants of `id` in descendant order (NotFound when missing). O(n) plus sorting unsorted sibling groups. */
  listDescendants(id: string): Task[] {
    return this.#read()
      .descendants(requireId(id, 'task id'))
      .map((t) => cloneJson(t));
  }

  /** The task forest (every task exactly once). O(n) plus sorting unsorted sibling groups; iterative at any depth. */
  getTaskTree(): TaskTreeNode[] {
    // One iterative pass that copies each task as it is placed (no second, recursive copy walk).
    return buildTree(this.#read(), (task) => cloneJson(task));
  }

  /** The task created for orchestrator task `orchestratorTaskId`, or null. O(n). */
  findByOrchestratorId(orchestratorTaskId: string): Task | null {
    const wanted = requireString(orchestratorTaskId, 'orchestratorTaskId');
    const task = this.#read().tasks.find((t) => t.orchestrator_task_id === wanted);
    return task === undefined ? null : cloneJson(task);
  }

  /** The current task id, or null. O(1). */
  getCurrentTaskId(): string | null {
    return this.#read().currentTaskId();
  }

  /** True when the task waits for a dependency that is missing or open (see readiness.ts). O(dependencies). */
  isTaskBlocked(id: string): boolean {
    return this.#read().isTaskBlocked(requireId(id, 'task id'));
  }

  /**
   * Whether the task is ready and why not: dependencies it waits for, open subtasks, an active
   * background job (see `readiness` in readiness.ts). NotFound when missing. O(n).
   */
  getReadiness(id: string): Readiness {
    const list = this.#read();
    const task = list.getTask(requireId(id, 'task id'));
    const result = readiness(list, task, readClaim(task) === null ? undefined : this.#env.clock.now());
    return { ...result, activeJob: result.activeJob === null ? null : cloneJson(result.activeJob) };
  }

  /** A copy of the whole list. O(size of the list). */
  loadTaskList(): TaskList {
    return TaskList.fromData(cloneJson(this.#read().toJSON()));
  }

  // ----------------------------------------------------------------------------------------------
  // Multi-step operations

  /**
   * Cancels every descendant of `id` that is open now; returns their ids in descendant order.
   * O(n + dependencies) (see cancel-sweep.ts), not one ancestor walk per cancelled task.
   */
  cancelOpenDescendants(id: string): string[] {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const list = this.#read();
      if (!hasOpenSubtasks(list, taskId)) return [];
      return cancelOpenDescendants(this.#write(), taskId, this.#env.clock);
    });
  }

  /**
   * Records an agent run's result in the task's metadata (`success`, `output`, `tool_calls`,
   * `duration_ms`) and sets Completed on success (completion check applies) or Cancelled on failure.
   * `toolCalls` and `durationMs` are any 32-bit signed integers, negative included, as in Rust.
   * O(n) for the status change.
   */
  recordTaskResult(id: string, success: boolean, output: string, toolCalls: number, durationMs: number, options?: FenceOptions): TaskStatus {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const ok = requireBoolean(success, 'success');
      const text = requireString(output, 'output');
      const calls = requireInteger(toolCalls, 'toolCalls', I32_MIN, I32_MAX);
      const duration = requireInteger(durationMs, 'durationMs', I32_MIN, I32_MAX);
      this.#fence(taskId, options);
      const task = this.#read().getTask(taskId);
      const list = this.#write();
      list.updateTask(
        taskId,
        { metadata: withMetadataEntries(task, { success: ok, output: text, tool_calls: calls, duration_ms: duration }) },
        this.#env.clock,
      );
      const status = ok ? TaskStatus.Completed : TaskStatus.Cancelled;
      applyStatus(list, taskId, status, this.#env.clock);
      return status;
    });
  }

  /**
   * After an agent run: completes the task when no descendant is open, else moves it to
   * InProgress (unless it is already terminal) and reports the open subtask ids. O(n).
   */
  finalizeTrackedTaskAfterAgentRun(id: string, options?: FenceOptions): TrackedTaskFinalization {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      this.#fence(taskId, options);
      const list = this.#read();
      const task = list.getTask(taskId);
      const open = openSubtasks(list, taskId).map((t) => t.id);
      if (open.length === 0) {
        applyStatus(this.#write(), taskId, TaskStatus.Completed, this.#env.clock);
        return { kind: 'Completed' };
      }
      if (isOpen(task)) applyStatus(this.#write(), taskId, TaskStatus.InProgress, this.#env.clock);
      return { kind: 'StillInProgress', open_subtask_ids: open };
    });
  }

  /**
   * Appends a memory event to the task's memory lifecycle (newest 32 kept) and remembers its
   * memory file path. Returns the lifecycle after the change. O(size of the task's metadata).
   */
  recordMemoryEvent(id: string, event: TaskMemoryEvent, options?: FenceOptions): TaskMemoryLifecycle {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const entry = requireSchema(TaskMemoryEventSchema, cloneJson(requireJson(event, 'event')), 'event');
      this.#fence(taskId, options);
      const task = this.#read().getTask(taskId);
      const lifecycle = readMetadataRecord(task, MEMORY_LIFECYCLE_KEY, TaskMemoryLifecycleSchema) ?? TaskMemoryLifecycleSchema.parse({});
      if (entry.memory_file_path !== undefined) lifecycle.last_memory_file_path = entry.memory_file_path;
      lifecycle.events.push(entry);
      if (lifecycle.events.length > EVIDENCE_WINDOW) lifecycle.events.splice(0, lifecycle.events.length - EVIDENCE_WINDOW);
      this.#write().updateTask(
        taskId,
        { metadata: withMetadataEntries(task, { [MEMORY_LIFECYCLE_KEY]: recordToJson(lifecycle, MEMORY_LIFECYCLE_FORM) }) },
        this.#env.clock,
      );
      return cloneJson(lifecycle);
    });
  }

  /** The task's memory lifecycle, or null when the task, its metadata or the key is missing. O(size of the lifecycle). */
  getMemoryLifecycle(id: string): TaskMemoryLifecycle | null {
    const task = this.#read().findTask(requireId(id, 'task id'));
    return task === null ? null : readMetadataRecord(task, MEMORY_LIFECYCLE_KEY, TaskMemoryLifecycleSchema);
  }

  /**
   * Reads the task's execution state (default when absent), lets `update` change it in place, stores
   * it and returns it. An error thrown by `update` aborts the change. O(size of the task's
   * metadata) plus the callback.
   */
  updateExecutionState(id: string, update: (state: TaskExecutionState) => void, options?: FenceOptions): TaskExecutionState {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const callback = requireFunction<(state: TaskExecutionState) => void>(update, 'update');
      this.#fence(taskId, options);
      const task = this.#read().getTask(taskId);
      const state = readMetadataRecord(task, EXECUTION_STATE_KEY, TaskExecutionStateSchema) ?? defaultExecutionState();
      try {
        const returned: unknown = callback(state);
        if (returned instanceof Promise) {
          returned.catch(() => undefined);
          throw new InvalidInputError('update must change the state synchronously; it returned a promise');
        }
      } catch (error) {
        if (error instanceof TaskError) throw error;
        throw new InvalidInputError(`execution state update failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      const input = cloneJson(requireJson(state, 'execution state'));
      const checked = requireSchema(TaskExecutionStateSchema, input, 'execution state');
      transferRawNumbers(input, checked);
      this.#write().updateTask(
        taskId,
        { metadata: withMetadataEntries(task, { [EXECUTION_STATE_KEY]: recordToJson(checked, EXECUTION_STATE_FORM) }) },
        this.#env.clock,
      );
      return checked;
    });
  }

  /** The task's execution state, or null when the task, its metadata or the key is missing. O(size of the state). */
  getExecutionState(id: string): TaskExecutionState | null {
    const task = this.#read().findTask(requireId(id, 'task id'));
    return task === null ? null : readMetadataRecord(task, EXECUTION_STATE_KEY, TaskExecutionStateSchema);
  }

  /** Turns planner specs into top-level tasks (reusing existing ones by name). O(n + specs). */
  materializeRequirementBreakdown(specs: readonly RequirementBreakdownTaskSpec[]): MaterializedTaskBreakdown {
    return this.#atomic(() => {
      return this.#materialize(null, specs);
    });
  }

  /**
   * Turns planner specs into tasks under `parentId` (reusing existing ones by name). The parent is
   * found first: a missing one is NotFound whatever the specs. O(n + specs).
   */
  materializeRequirementBreakdownUnderParent(parentId: string, specs: readonly RequirementBreakdownTaskSpec[]): MaterializedTaskBreakdown {
    return this.#atomic(() => {
      const parent = requireId(parentId, 'parentId');
      checkBreakdownParent(this.#read(), parent);
      return this.#materialize(parent, specs);
    });
  }

  #materialize(parentId: string | null, specs: readonly RequirementBreakdownTaskSpec[]): MaterializedTaskBreakdown {
    const checked = this.#specs(specs);
    const result = materializeBreakdown(this.#write(), this.#env, parentId, checked);
    return { created_tasks: result.tasks.map((t) => cloneJson(t)), root_task_ids: result.rootTaskIds };
  }

  #specs(specs: unknown): RequirementBreakdownTaskSpec[] {
    if (!Array.isArray(specs)) throw new InvalidInputError('specs must be an array of requirement breakdown task specs');
    return specs.map((spec, i) => requireSchema(RequirementBreakdownTaskSpecSchema, spec, `specs[${i}]`));
  }

  /**
   * Creates a root task for a request, materialises the specs under it, starts the first open
   * subtask, points the current task at it, and records a handoff memory event on the root.
   * O(n + specs).
   */
  initializeAutoTrackedExecutionPlan(
    rootName: string,
    originalInput: string,
    specs: readonly RequirementBreakdownTaskSpec[],
  ): AutoTrackedExecutionPlan {
    return this.#atomic(() => {
      const name = requireTaskName(rootName, 'rootName');
      const input = requireString(originalInput, 'originalInput');
      const checked = this.#specs(specs);
      const clock = this.#env.clock;
      const root = this.#create({
        name,
        description: `Autogenerated tracked execution task for request:\n\n${rustTrim(input)}`,
        source: TaskSource.User,
      });
      const list = this.#write();
      applyStatus(list, root.id, TaskStatus.InProgress, clock);
      const materialized = materializeBreakdown(list, this.#env, root.id, checked);
      const open = openSubtasks(list, root.id);
      const planned = open
        .slice(0, PLANNED_SUBTASKS_SHOWN)
        .map((t) => `${t.name} [${formatTaskStatus(t.status)}]`);
      const initial = open[0] ?? list.getTask(root.id);
      if (open[0] !== undefined) applyStatus(list, open[0].id, TaskStatus.InProgress, clock);
      list.setCurrentTaskId(initial.id);
      const count = materialized.tasks.length;
      this.recordMemoryEvent(
        root.id,
        newMemoryEvent(TaskMemoryPhase.Handoff, `Initialized tracked request with ${count} planned tracked subtasks`, 'session', 'handoff', null, this.#env),
      );
      return {
        root_task: cloneJson(list.getTask(root.id)),
        planned_subtasks: planned,
        initial_task_id: initial.id,
        initial_task_name: initial.name,
        generated_task_count: count,
      };
    });
  }

  // ----------------------------------------------------------------------------------------------
  // Ready queue

  /**
   * Tasks an agent can start now (see `readyTasks` in readiness.ts: NotStarted or Blocked, no open
   * dependency, no open descendant, no active background job); by `sort_order`, then age.
   * O(n log n).
   */
  readyTasks(): Task[] {
    const list = this.#read();
    return readyTasks(list, this.#claimClock(list, null)).map((t) => cloneJson(t));
  }

  /**
   * Where the list (or `rootId`'s subtree) stands, for an agent loop (see runtime-snapshot.ts),
   * judged at the clock's time when a task carries a claim. Tasks in it are copies. O(n).
   */
  runtimeSnapshot(rootId: string | null = null): RuntimeSnapshot {
    const list = this.#read();
    return runtimeSnapshot(list, rootId, this.#claimClock(list, null));
  }

  /** The {@link runtimeSnapshot} of the list (or `rootId`'s subtree) as text for a model's context (see prompt-render.ts). */
  renderForPrompt(rootId: string | null, options: RenderForPromptOptions): string {
    const list = this.#read();
    return renderSnapshotForPrompt(list, runtimeSnapshot(list, rootId, this.#claimClock(list, null)), options);
  }

  /**
   * The current instant for the claim rules: read from the clock when a lease is being taken or
   * some task carries a claim; else undefined (no claim can have expired), so sessions without
   * claims never read the clock here. O(n) when no lease is taken.
   */
  #claimClock(list: TaskList, lease: number | null): string | undefined {
    if (lease === null && !list.tasks.some((t) => readClaim(t) !== null)) return undefined;
    return this.#env.clock.now();
  }

  /**
   * Marks the first ready task InProgress for `agentId` (setting its `agent_id`) and returns it, or
   * null when nothing is ready. Inside one commit, so concurrent claimers never share a task.
   * O(n) (see firstReadyTask).
   */
  claimNextTask(agentId: string, options?: ClaimOptions): Task | null {
    return this.#atomic(() => {
      const agent = requireId(agentId, 'agentId');
      const lease = leaseOf(options);
      const list = this.#read();
      const now = this.#claimClock(list, lease);
      const next = firstReadyTask(list, now);
      if (next === null) return null;
      return this.#take(next.id, agent, lease, now);
    });
  }

  /**
   * Claims task `id` for `agentId` like {@link claimNextTask}, but that task only: InvalidInput
   * naming every reason when it is not ready (a live claim names its holder). O(n).
   */
  claimTask(id: string, agentId: string, options?: ClaimOptions): Task {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const agent = requireId(agentId, 'agentId');
      const lease = leaseOf(options);
      const list = this.#read();
      const task = list.getTask(taskId);
      const now = lease !== null || readClaim(task) !== null ? this.#env.clock.now() : undefined;
      const why = readiness(list, task, now);
      if (!why.ready) {
        const reasons: string[] = [];
        const holder = now === undefined ? null : liveClaim(task, now);
        if (holder !== null) reasons.push(`agent '${holder.agent_id}' holds it with token ${holder.token} until ${holder.expires_at}`);
        else if (!why.startable) reasons.push(`its status is ${formatTaskStatus(task.status)}`);
        if (why.waitingFor.length > 0) reasons.push(`it waits for ${why.waitingFor.map((d) => `'${d}'`).join(', ')}`);
        if (why.openSubtasks.length > 0) reasons.push(`it has open subtasks ${why.openSubtasks.map((d) => `'${d}'`).join(', ')}`);
        if (why.activeJob !== null) reasons.push(`its background job is ${why.activeJob.status}`);
        throw new InvalidInputError(`task '${taskId}' cannot be claimed: ${reasons.join('; ')}`);
      }
      return this.#take(taskId, agent, lease, now);
    });
  }

  /**
   * Extends the live claim `token` of task `id` to run `leaseMs` (default: the claim's own lease)
   * from now. InvalidInput ("claim lost") when `token` is not the task's live claim. O(1).
   */
  renewClaim(id: string, token: number, leaseMs?: number): Task {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const checked = requireClaimToken(token, 'token');
      const lease = leaseMs === undefined ? null : requireLeaseMs(leaseMs);
      const now = this.#env.clock.now();
      const task = this.#read().getTask(taskId);
      this.#proveClaim(task, checked, now);
      const claim = readClaim(task) as NonNullable<ReturnType<typeof readClaim>>;
      const renewed = renewedClaim(claim, now, lease ?? claim.lease_ms);
      return cloneJson(this.#write().updateTask(taskId, { metadata: withMetadataEntries(task, { [CLAIM_KEY]: claimToJson(renewed) }) }, this.#env.clock));
    });
  }

  /**
   * Gives task `id` back: with `token` its live claim, the claim is removed, the agent cleared and
   * the task set NotStarted (ancestors reconciled). InvalidInput ("claim lost") otherwise. O(n).
   */
  releaseClaim(id: string, token: number): Task {
    return this.#atomic(() => {
      const taskId = this.#find(id);
      const checked = requireClaimToken(token, 'token');
      this.#proveClaim(this.#read().getTask(taskId), checked, this.#env.clock.now());
      return cloneJson(this.#dropClaim(taskId, TaskStatus.NotStarted));
    });
  }
}
