/**
 * TaskManager: the public entry point. It keeps a cache of each session's list, validated against
 * the store on every call (a stat for the file store), and runs every change as one commit:
 * lock → re-read if changed → apply on a copy → write atomically → unlock. A failing operation
 * writes nothing. Everything it returns is a copy.
 */
import path from 'node:path';
import { InvalidInputError, TaskError, TaskIoError } from './errors.js';
import { deliverEvent, diffTaskLists, type TaskChangeEvent, type TaskChangeListener } from './events.js';
import {
  actorOf,
  historyRecords,
  queryHistory,
  requireHistoryQuery,
  type ActorOptions,
  type HistoryEntry,
  type HistoryQuery,
  type HistoryRetention,
} from './history.js';
import type { JsonValue } from './json/value.js';
import type { ClaimOptions, FenceOptions } from './model/claims.js';
import type { Clock } from './model/clock.js';
import { defaultEnv, type ModelEnv } from './model/env.js';
import type { IdGenerator } from './model/ids.js';
import type { Readiness } from './model/readiness.js';
import { TaskList } from './model/task-list.js';
import { TaskTransaction, transactionFencedBy, transactionList } from './model/transaction.js';
import { requireFunction, requireId, requireSessionId, requireString } from './model/validate.js';
import type { RuntimeSnapshot } from './model/runtime-snapshot.js';
import type { TokenCounter } from './model/token-estimate.js';
import type { RequirementBreakdownTaskSpec } from './schema/breakdown.js';
import type { TaskBackgroundJob } from './schema/background-job.js';
import type { TaskStatus } from './schema/enums.js';
import type { TaskExecutionState } from './schema/execution.js';
import type { TaskMemoryEvent, TaskMemoryLifecycle } from './schema/memory.js';
import type { AutoTrackedExecutionPlan, MaterializedTaskBreakdown, TaskTreeNode, TrackedTaskFinalization } from './schema/results.js';
import type { Task } from './schema/task.js';
import { FileTaskStore, type Durability } from './store/file-store.js';
import type { FileLockOptions } from './store/file-lock.js';
import type { StoredList, TaskStore } from './store/task-store.js';
import { phaseEnd, phaseStart } from './store/commit-timing.js';
import { RemoteChanges } from './remote-changes.js';

/** Options of a {@link TaskManager}. */
export interface TaskManagerOptions {
  /** Where lists are kept. Default: a {@link FileTaskStore} under `baseDir`. */
  readonly store?: TaskStore;
  /** Write durability of the default file store. Default `fsync`. */
  readonly durability?: Durability;
  /** Lock timing of the default file store (stale takeover, wait timeout). */
  readonly lock?: Partial<FileLockOptions>;
  /** Time source. Default: the process clock (microseconds, strictly increasing). */
  readonly clock?: Clock;
  /** Id source. Default: nanoid. */
  readonly newId?: IdGenerator;
  /** Keep a session history in the default file store (README "History"). Default off. */
  readonly history?: boolean | HistoryRetention;
  /**
   * Who this manager acts for (e.g. `cli`, `mcp`, an agent id), named as the actor of its history
   * entries when a call names none (`{ agentId }`, or the claiming agent of a claim). Default:
   * none (the claim's agent where there is one, else null).
   */
  readonly actor?: string;
}

/** Options of the changing calls an agent fences with its claim: `{ claimToken?, agentId? }`. */
export type WriteOptions = FenceOptions & ActorOptions;

/** Options of {@link TaskManager.batch}: who acts, and the operation its history entries name. */
export interface BatchOptions extends ActorOptions {
  /** The operation the batch's history entries name (a non-empty string). Default `batch`. */
  readonly operation?: string;
}

/** Options of the claiming calls: `{ leaseMs?, agentId? }` (the claiming agent is the actor by default). */
export type ClaimCallOptions = ClaimOptions & ActorOptions;

/** How one commit is made: the operation it names, the call's options, the claiming agent. */
interface CommitHow {
  /** The operation history entries name (default: the first transaction method called). */
  readonly operation?: string;
  /** The call's options; their `agentId` names the actor (checked before the lock is taken). */
  readonly options?: unknown;
  /** What the options are called in messages (`claim options`, `fence options`). Default `options`. */
  readonly optionsName?: string;
  /** The agent a claiming call claims for: the actor when the options name none. */
  readonly claimer?: unknown;
}

/**
 * `tx` with every method call's name appended to `called`: the one place the operation of a
 * single-operation commit is learned, for its history entries. O(1) per call.
 */
function recordingCalls(tx: TaskTransaction, called: string[]): TaskTransaction {
  return new Proxy(tx, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        called.push(key);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * Runs `fn`, turning anything thrown that is not a {@link TaskError} (a failure of the platform or
 * a bug) into a {@link TaskIoError} that keeps it as `cause`: the API throws nothing else.
 */
async function onlyTaskErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof TaskError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TaskIoError(`unexpected failure: ${reason}`, { cause: error });
  }
}

/**
 * The tasks of every session under one base directory. Every method is async. Every changing
 * method takes an optional last options argument whose `agentId` names who makes the call in the
 * session history (README "History"); the fenced ones take `claimToken` in the same object.
 */
export class TaskManager {
  /** The base directory given to the constructor, resolved. */
  readonly baseDir: string;
  /** The store behind this manager. */
  readonly store: TaskStore;
  readonly #env: ModelEnv;
  readonly #cache = new Map<string, StoredList | null>();
  readonly #listeners = new Set<TaskChangeListener>();
  readonly #actor: string | null;
  /** Other writers' commits for the listeners, when the store has a change feed. */
  readonly #remote: RemoteChanges | null;

  /** A manager for `<baseDir>/.gestura/tasks/`. Nothing is read or written until first use. */
  constructor(baseDir: string, options: TaskManagerOptions = {}) {
    const dir = requireString(baseDir, 'baseDir');
    this.baseDir = path.resolve(dir === '' ? '.' : dir);
    this.store = options.store ?? new FileTaskStore(this.baseDir, { durability: options.durability, lock: options.lock, history: options.history });
    this.#env = { clock: options.clock ?? defaultEnv.clock, newId: options.newId ?? defaultEnv.newId };
    this.#actor = options.actor === undefined ? null : requireId(options.actor, 'actor');
    const feed = this.store.changes;
    this.#remote = feed === undefined ? null : new RemoteChanges(this.store, feed, (events) => this.#emit(events));
  }

  /** The file (or store location) of a session. */
  sessionPath(sessionId: string): string {
    return this.store.locate(requireSessionId(sessionId));
  }

  /**
   * The session's history (README "History"), newest first: every change of every commit that
   * landed, filtered by `query`. InvalidInput when the store keeps no history (enable it with the
   * `history` option) or the query is malformed. O(entries kept).
   */
  async history(sessionId: string, query?: HistoryQuery): Promise<HistoryEntry[]> {
    return onlyTaskErrors(async () => {
      const id = requireSessionId(sessionId);
      const q = requireHistoryQuery(query);
      const history = this.store.history;
      if (history === undefined) throw new InvalidInputError(`the store of '${id}' keeps no history; create the manager with the history option`);
      return queryHistory(await history.read(id), q);
    });
  }

  /** The sessions that have a stored list, sorted. */
  listSessions(): Promise<string[]> {
    return this.store.listSessions();
  }

  // ----------------------------------------------------------------------------------------------
  // Events

  /**
   * Calls `listener` after every commit of this manager with each change it made. On a store with a
   * live change feed (PostgreSQL) it also reports the commits of every other manager, process and
   * machine, from shortly after the first listener is added until the last one is removed
   * (docs/architecture.md, "Change feed"; a session this manager never saw reports its first such
   * commit as one `list_replaced`).
   */
  on(event: 'change', listener: TaskChangeListener): this {
    if (event !== 'change') throw new InvalidInputError(`unknown event '${String(event)}'; the only event is 'change'`);
    this.#listeners.add(requireFunction(listener, 'listener'));
    this.#remote?.start();
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off(event: 'change', listener: TaskChangeListener): this {
    if (event === 'change') this.#listeners.delete(listener);
    if (this.#listeners.size === 0) void this.#remote?.stop();
    return this;
  }

  #emit(events: readonly TaskChangeEvent[]): void {
    for (const event of events) {
      for (const listener of [...this.#listeners]) deliverEvent(listener, event);
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Core: reads and commits

  /** The freshest stored list of the session (refreshing the cache), or an empty list. */
  async #current(sessionId: string): Promise<TaskList> {
    const stored = await this.store.read(sessionId, this.#cache.get(sessionId) ?? null);
    this.#cache.set(sessionId, stored);
    this.#remote?.noteRead(sessionId, stored);
    return stored?.list ?? new TaskList(sessionId);
  }

  /**
   * Runs read-only `fn` on the freshest list. The cached list is shared with the transaction, which
   * is read-only: any changing operation on it fails, so the cache can never be altered here.
   */
  async #view<T>(sessionId: unknown, fn: (tx: TaskTransaction) => T): Promise<T> {
    return onlyTaskErrors(async () => {
      const id = requireSessionId(sessionId);
      const tx = new TaskTransaction(await this.#current(id), this.#env, { readOnly: true });
      try {
        return fn(tx);
      } finally {
        tx.close();
      }
    });
  }

  /** One commit: lock, re-read if changed, apply `fn` to a copy, write once if it changed. */
  async #commit<T>(sessionId: unknown, fn: (tx: TaskTransaction) => T | Promise<T>, how: CommitHow = {}): Promise<T> {
    return onlyTaskErrors(() => this.#commitUnguarded(sessionId, fn, how));
  }

  async #commitUnguarded<T>(sessionId: unknown, fn: (tx: TaskTransaction) => T | Promise<T>, how: CommitHow): Promise<T> {
    const id = requireSessionId(sessionId);
    const callActor = actorOf(how.options, how.optionsName);
    const { operation } = how;
    const outcome = await this.store.withLock(id, this.#tracked(id, async () => {
      const t0 = phaseStart();
      const basis = await this.store.read(id, this.#cache.get(id) ?? null);
      this.#cache.set(id, basis);
      const before = basis?.list ?? new TaskList(id);
      phaseEnd('read', t0);
      const t1 = phaseStart();
      const tx = new TaskTransaction(before.clone(), this.#env);
      // The operation a history entry names: the transaction method the manager called.
      const called: string[] = [];
      let result: T;
      try {
        result = await fn(this.store.history !== undefined && operation === undefined ? recordingCalls(tx, called) : tx);
      } finally {
        tx.close();
      }
      phaseEnd('apply', t1);
      if (!tx.changed) return { result, events: [] as TaskChangeEvent[] };
      const after = transactionList(tx);
      const keepHistory = this.store.history !== undefined;
      const events = this.#listeners.size > 0 || keepHistory ? diffTaskLists(id, before, after, tx.replaced) : [];
      // Who acts: the call's agentId; else the agent whose live claim a fenced write proved (its
      // token); else the claiming agent (checked by the claim, which succeeded); else the manager's.
      const actor = callActor ?? transactionFencedBy(tx) ?? (typeof how.claimer === 'string' ? how.claimer : null) ?? this.#actor;
      const records = keepHistory ? historyRecords(events, operation ?? called[0] ?? 'batch', this.#env.clock.now(), actor) : undefined;
      const saved = await this.store.write(id, after, basis, records);
      this.#cache.set(id, saved);
      // Others' commits before this one first (see remote-changes.ts).
      const others = this.#remote?.ownCommit(id, basis, saved) ?? [];
      return { result, events: this.#listeners.size > 0 ? [...others, ...events] : [] };
    }));
    this.#emit(outcome.events);
    return outcome.result;
  }

  /** `body` (a commit inside the lock of `id`), told to the remote-change reporter when there is one. */
  #tracked<T>(id: string, body: () => Promise<T>): () => Promise<T> {
    const remote = this.#remote;
    if (remote === null) return body;
    return async () => {
      remote.commitStarted(id);
      try {
        return await body();
      } finally {
        remote.commitEnded(id);
      }
    };
  }

  /**
   * Runs `fn` with a transaction on one session: any number of operations (the same as the
   * manager's, without the session argument), one lock, one write, all or nothing. The transaction
   * sees its own changes. If `fn` throws, nothing is written and the error is rethrown (errors that
   * are not {@link TaskError}s are wrapped in an InvalidInputError with the original as `cause`).
   */
  async batch<T>(sessionId: string, fn: (tx: TaskTransaction) => T | Promise<T>, options?: BatchOptions): Promise<T> {
    const callback = requireFunction<(tx: TaskTransaction) => T | Promise<T>>(fn, 'fn');
    const named = options === null || typeof options !== 'object' ? undefined : (options as { operation?: unknown }).operation;
    const operation = named === undefined ? 'batch' : requireId(named, 'operation option');
    return this.#commit(sessionId, async (tx) => {
      try {
        return await callback(tx);
      } catch (error) {
        if (error instanceof TaskError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new InvalidInputError(`batch callback failed: ${reason}`, { cause: error });
      }
    }, { operation, options });
  }

  // ----------------------------------------------------------------------------------------------
  // Creation and editing

  /** Creates a user task, optionally under `parentId`. */
  createTask(sessionId: string, name: string, description: string, parentId?: string | null, options?: ActorOptions): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.createTask(name, description, parentId), { options });
  }

  /** Creates an agent task (agent id before parent id, as in Rust). */
  createAgentTask(
    sessionId: string,
    name: string,
    description: string,
    agentId?: string | null,
    parentId?: string | null,
    options?: ActorOptions,
  ): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.createAgentTask(name, description, agentId, parentId), { options });
  }

  /** Creates a task for an orchestrator task (Queued background job, `metadata` = `context`). */
  createOrchestratorTask(
    sessionId: string,
    orchestratorTaskId: string,
    agentId: string,
    name: string,
    description: string,
    context?: JsonValue | null,
    options?: ActorOptions,
  ): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.createOrchestratorTask(orchestratorTaskId, agentId, name, description, context), { options });
  }

  /** Changes a task's name and/or description. */
  updateTask(sessionId: string, id: string, name?: string | null, description?: string | null, options?: ActorOptions): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.updateTask(id, name, description), { options });
  }

  /**
   * Sets a task's status with the completion check and ancestor reconciliation. With
   * `{ claimToken }`, only while that is the task's live claim (README, "Leased claims").
   */
  updateTaskStatus(sessionId: string, id: string, status: TaskStatus | string, options?: WriteOptions): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.updateTaskStatus(id, status, options), { options, optionsName: 'fence options' });
  }

  /** Deletes a task and returns it (its id is also removed from other tasks' `blocked_by`). */
  deleteTask(sessionId: string, id: string, options?: ActorOptions): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.deleteTask(id), { options });
  }

  /** Makes `taskId` wait for `blockerId`; false when it already did. */
  addTaskDependency(sessionId: string, taskId: string, blockerId: string, options?: ActorOptions): Promise<boolean> {
    return this.#commit(sessionId, (tx) => tx.addTaskDependency(taskId, blockerId), { options });
  }

  /** Sets or clears (null) a task's background job. */
  setTaskBackgroundJob(sessionId: string, id: string, job: TaskBackgroundJob | null, options?: ActorOptions): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.setTaskBackgroundJob(id, job), { options });
  }

  /** Replaces a task's metadata. */
  updateTaskMetadata(sessionId: string, id: string, metadata: JsonValue | null, options?: ActorOptions): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.updateTaskMetadata(id, metadata), { options });
  }

  /** Points the current task at `id` or clears it. */
  setCurrentTaskId(sessionId: string, id: string | null): Promise<void> {
    return this.#commit(sessionId, (tx) => tx.setCurrentTaskId(id));
  }

  /**
   * Replaces a session's whole list. As in Rust, `replaceTaskList(list)` stores the list under its
   * own `sessionId`; `replaceTaskList(sessionId, list)` also checks that the list belongs to that
   * session (InvalidInput otherwise).
   */
  replaceTaskList(list: TaskList): Promise<void>;
  replaceTaskList(sessionId: string, list: TaskList): Promise<void>;
  replaceTaskList(sessionOrList: string | TaskList, list?: TaskList): Promise<void> {
    if (sessionOrList instanceof TaskList) {
      const only = sessionOrList;
      return this.#commit(only.sessionId, (tx) => tx.replaceTaskList(only));
    }
    if (typeof sessionOrList !== 'string' && list === undefined) {
      return Promise.reject(new InvalidInputError('replaceTaskList needs a TaskList'));
    }
    return this.#commit(sessionOrList, (tx) => tx.replaceTaskList(list as TaskList));
  }

  // ----------------------------------------------------------------------------------------------
  // Reads

  /** The task, or null. */
  getTask(sessionId: string, id: string): Promise<Task | null> {
    return this.#view(sessionId, (tx) => tx.getTask(id));
  }

  /** All tasks, list order. */
  listTasks(sessionId: string): Promise<Task[]> {
    return this.#view(sessionId, (tx) => tx.listTasks());
  }

  /** Each root task with its direct subtasks. */
  getHierarchy(sessionId: string): Promise<[Task, Task[]][]> {
    return this.#view(sessionId, (tx) => tx.getHierarchy());
  }

  /** Descendants of a task in descendant order (NotFound when missing). */
  listDescendants(sessionId: string, id: string): Promise<Task[]> {
    return this.#view(sessionId, (tx) => tx.listDescendants(id));
  }

  /** The task forest; every task exactly once. */
  getTaskTree(sessionId: string): Promise<TaskTreeNode[]> {
    return this.#view(sessionId, (tx) => tx.getTaskTree());
  }

  /** The task created for an orchestrator task, or null. */
  findByOrchestratorId(sessionId: string, orchestratorTaskId: string): Promise<Task | null> {
    return this.#view(sessionId, (tx) => tx.findByOrchestratorId(orchestratorTaskId));
  }

  /** The current task id, or null. */
  getCurrentTaskId(sessionId: string): Promise<string | null> {
    return this.#view(sessionId, (tx) => tx.getCurrentTaskId());
  }

  /** True when the task waits for a missing or open dependency. */
  isTaskBlocked(sessionId: string, id: string): Promise<boolean> {
    return this.#view(sessionId, (tx) => tx.isTaskBlocked(id));
  }

  /** Whether the task is ready and every reason it is not (NotFound when missing). */
  getReadiness(sessionId: string, id: string): Promise<Readiness> {
    return this.#view(sessionId, (tx) => tx.getReadiness(id));
  }

  /** A copy of the session's list (empty when the session has no file). */
  loadTaskList(sessionId: string): Promise<TaskList> {
    return this.#view(sessionId, (tx) => tx.loadTaskList());
  }

  /** The task's memory lifecycle, or null. */
  getMemoryLifecycle(sessionId: string, id: string): Promise<TaskMemoryLifecycle | null> {
    return this.#view(sessionId, (tx) => tx.getMemoryLifecycle(id));
  }

  /** The task's execution state, or null. */
  getExecutionState(sessionId: string, id: string): Promise<TaskExecutionState | null> {
    return this.#view(sessionId, (tx) => tx.getExecutionState(id));
  }

  /** Open, unblocked leaf tasks in priority order (`sort_order`, then age). */
  readyTasks(sessionId: string): Promise<Task[]> {
    return this.#view(sessionId, (tx) => tx.readyTasks());
  }

  // ----------------------------------------------------------------------------------------------
  // Multi-step operations (each one commit)

  /** Cancels the open descendants of a task; returns their ids. */
  cancelOpenDescendants(sessionId: string, id: string, options?: ActorOptions): Promise<string[]> {
    return this.#commit(sessionId, (tx) => tx.cancelOpenDescendants(id), { options });
  }

  /** Records an agent run's result and completes (success) or cancels (failure) the task. Fenced by `{ claimToken }`. */
  recordTaskResult(
    sessionId: string,
    id: string,
    success: boolean,
    output: string,
    toolCalls: number,
    durationMs: number,
    options?: WriteOptions,
  ): Promise<TaskStatus> {
    return this.#commit(sessionId, (tx) => tx.recordTaskResult(id, success, output, toolCalls, durationMs, options), { options, optionsName: 'fence options' });
  }

  /** Completes the task if no subtask is open, else keeps it in progress and lists the open ones. Fenced by `{ claimToken }`. */
  finalizeTrackedTaskAfterAgentRun(sessionId: string, id: string, options?: WriteOptions): Promise<TrackedTaskFinalization> {
    return this.#commit(sessionId, (tx) => tx.finalizeTrackedTaskAfterAgentRun(id, options), { options, optionsName: 'fence options' });
  }

  /** Appends a memory event to the task's lifecycle (newest 32 kept). Fenced by `{ claimToken }`. */
  recordMemoryEvent(sessionId: string, id: string, event: TaskMemoryEvent, options?: WriteOptions): Promise<TaskMemoryLifecycle> {
    return this.#commit(sessionId, (tx) => tx.recordMemoryEvent(id, event, options), { options, optionsName: 'fence options' });
  }

  /** Changes the task's execution state (evidence) through `update` and stores it. Fenced by `{ claimToken }`. */
  updateExecutionState(
    sessionId: string,
    id: string,
    update: (state: TaskExecutionState) => void,
    options?: WriteOptions,
  ): Promise<TaskExecutionState> {
    return this.#commit(sessionId, (tx) => tx.updateExecutionState(id, update, options), { options, optionsName: 'fence options' });
  }

  /** Turns planner specs into top-level tasks. */
  materializeRequirementBreakdown(sessionId: string, specs: readonly RequirementBreakdownTaskSpec[], options?: ActorOptions): Promise<MaterializedTaskBreakdown> {
    return this.#commit(sessionId, (tx) => tx.materializeRequirementBreakdown(specs), { options });
  }

  /** Turns planner specs into tasks under `parentId`. */
  materializeRequirementBreakdownUnderParent(
    sessionId: string,
    parentId: string,
    specs: readonly RequirementBreakdownTaskSpec[],
    options?: ActorOptions,
  ): Promise<MaterializedTaskBreakdown> {
    return this.#commit(sessionId, (tx) => tx.materializeRequirementBreakdownUnderParent(parentId, specs), { options });
  }

  /** Creates a tracked plan for a request: root task, subtasks, first one started. */
  initializeAutoTrackedExecutionPlan(
    sessionId: string,
    rootName: string,
    originalInput: string,
    specs: readonly RequirementBreakdownTaskSpec[],
    options?: ActorOptions,
  ): Promise<AutoTrackedExecutionPlan> {
    return this.#commit(sessionId, (tx) => tx.initializeAutoTrackedExecutionPlan(rootName, originalInput, specs), { options });
  }

  /**
   * Claims the first ready task for `agentId` (InProgress, `agent_id` set), or null. With
   * `{ leaseMs }` the claim is leased: `metadata.claim` holds its fencing token and expiry, and a
   * task whose lease ran out is ready again (README, "Leased claims").
   */
  claimNextTask(sessionId: string, agentId: string, options?: ClaimCallOptions): Promise<Task | null> {
    return this.#commit(sessionId, (tx) => tx.claimNextTask(agentId, options), { options, optionsName: 'claim options', claimer: agentId });
  }

  /** Claims task `id` for `agentId` as {@link claimNextTask} does; InvalidInput saying why when it is not ready. */
  claimTask(sessionId: string, id: string, agentId: string, options?: ClaimCallOptions): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.claimTask(id, agentId, options), { options, optionsName: 'claim options', claimer: agentId });
  }

  /** Extends the live claim `token` of task `id` by `leaseMs` from now (default: its own lease). */
  renewClaim(sessionId: string, id: string, token: number, leaseMs?: number, options?: ActorOptions): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.renewClaim(id, token, leaseMs), { options });
  }

  /** Gives task `id` back (NotStarted, no agent, claim removed) when `token` is its live claim. */
  releaseClaim(sessionId: string, id: string, token: number, options?: ActorOptions): Promise<Task> {
    return this.#commit(sessionId, (tx) => tx.releaseClaim(id, token), { options });
  }

  // ----------------------------------------------------------------------------------------------
  // Agent views

  /**
   * Where the session (or `rootId`'s subtree) stands: current task, ready queue (and its
   * parallel-safe part), blocked tasks with what they wait for, open and finished tasks, and what
   * open tasks still lack for their verification profiles. Computed from the freshest list.
   */
  runtimeSnapshot(sessionId: string, rootId?: string | null): Promise<RuntimeSnapshot> {
    return this.#view(sessionId, (tx) => tx.runtimeSnapshot(rootId == null ? null : requireId(rootId, 'rootId')));
  }

  /**
   * The session (or `rootId`'s subtree) as compact text for a model's context, never counting
   * more than `maxTokens` (by `countTokens`, default a conservative estimate; see the README
   * "Agents" section). `focus` puts that task first instead of the current task.
   */
  renderForPrompt(
    sessionId: string,
    options: { maxTokens: number; rootId?: string | null; focus?: string | null; countTokens?: TokenCounter },
  ): Promise<string> {
    return this.#view(sessionId, (tx) => {
      if (options === null || typeof options !== 'object') throw new InvalidInputError('renderForPrompt needs an options object with maxTokens');
      const rootId = options.rootId == null ? null : requireId(options.rootId, 'rootId');
      const focus = options.focus == null ? null : requireId(options.focus, 'focus');
      return tx.renderForPrompt(rootId, { maxTokens: options.maxTokens, focus, countTokens: options.countTokens });
    });
  }
}
