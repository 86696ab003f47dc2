/**
 * gestura-tasks: durable, lock-guarded task lists for AI agents. The public surface; nothing else
 * is part of the API.
 */
export { TaskManager, type BatchOptions, type ClaimCallOptions, type TaskManagerOptions, type WriteOptions } from './manager.js';
export { getGlobalTaskManager, globalBaseDir } from './global.js';
export { TaskList, type TaskPatch } from './model/task-list.js';
export { TaskTransaction, PLANNED_SUBTASKS_SHOWN, type TaskTransactionOptions } from './model/transaction.js';
export type { TaskChangeEvent, TaskChangeListener } from './events.js';
export { DEFAULT_HISTORY_ENTRIES, HISTORY_SEQ_KEY } from './history.js';
export type { ActorOptions, HistoryChange, HistoryEntry, HistoryQuery, HistoryRetention } from './history.js';
export { watchSession, DEFAULT_WATCH_INTERVAL_MS, type SessionWatcher, type WatchSessionOptions } from './watch/index.js';

export {
  TaskError,
  TaskNotFoundError,
  InvalidInputError,
  TaskIoError,
  TaskSerializationError,
  isTaskError,
  type TaskErrorKind,
} from './errors.js';

export {
  TaskStatus,
  TaskStatusSchema,
  TaskSource,
  TaskSourceSchema,
  TaskBackgroundStatus,
  TaskBackgroundStatusSchema,
  TaskMemoryPhase,
  TaskMemoryPhaseSchema,
  TaskExecutionKind,
  TaskExecutionKindSchema,
  TaskExecutionEvidenceKind,
  TaskExecutionEvidenceKindSchema,
} from './schema/enums.js';
export { TaskSchema, type Task } from './schema/task.js';
export { TaskListSchema, type TaskListData } from './schema/task-list.js';
export { TaskBackgroundJobSchema, type TaskBackgroundJob } from './schema/background-job.js';
export {
  TaskMemoryEventSchema,
  TaskMemoryLifecycleSchema,
  type TaskMemoryEvent,
  type TaskMemoryLifecycle,
} from './schema/memory.js';
export {
  TaskVerificationProfileSchema,
  TaskExecutionEvidenceSchema,
  TaskExecutionStateSchema,
  type TaskVerificationProfile,
  type TaskExecutionEvidence,
  type TaskExecutionState,
} from './schema/execution.js';
export {
  RequirementBreakdownTaskSpecSchema,
  type RequirementBreakdownTaskSpec,
  type RequirementBreakdownTaskSpecInput,
} from './schema/breakdown.js';
export { TimestampSchema } from './schema/timestamp.js';
export { SessionIdSchema } from './schema/session-id.js';
export { MetadataSchema } from './schema/metadata.js';
export type {
  TaskTreeNode,
  TrackedTaskFinalization,
  MaterializedTaskBreakdown,
  AutoTrackedExecutionPlan,
} from './schema/results.js';
export type { JsonValue } from './json/value.js';

export {
  newTask,
  newTaskWithSource,
  taskFromOrchestratorTask,
  newBackgroundJob,
  newMemoryEvent,
  newExecutionEvidence,
} from './model/records.js';
export { isTerminal, isTerminalStatus, isActiveBackgroundStatus, parseTaskStatus, formatTaskStatus } from './model/status.js';
export {
  isOpen,
  isBlocked,
  blockingDependencies,
  openSubtasks,
  hasOpenSubtasks,
  activeBackgroundJob,
  readiness,
  isReady,
  readyTasks,
  completionBlocker,
  canComplete,
  checkCompletion,
  type Readiness,
  type CompletionBlocker,
} from './model/readiness.js';
export {
  defaultExecutionState,
  mergeProfile,
  recordEvidence,
  satisfiesProfile,
  EVIDENCE_WINDOW,
} from './model/execution-state.js';
export { parseRequirementBreakdownResponse, normalizeRequirementBreakdown } from './model/planner.js';
export { compareTimestamps } from './schema/timestamp.js';
export { systemClock, steppingClock, type Clock } from './model/clock.js';
export {
  CLAIM_KEY,
  CLAIM_TOKEN_KEY,
  MAX_LEASE_MS,
  liveClaim,
  readClaim,
  type ClaimOptions,
  type FenceOptions,
  type TaskClaim,
} from './model/claims.js';
export type { IdGenerator } from './model/ids.js';

export type { TaskStore, StoredList, StoreHistory, StoreChangeFeed, ChangeFeedHandlers } from './store/task-store.js';
export { FileTaskStore, RACY_WINDOW_NS, type Durability, type FileTaskStoreOptions } from './store/file-store.js';
export { MemoryTaskStore, type MemoryTaskStoreOptions } from './store/memory-store.js';
export { DEFAULT_LOCK_OPTIONS, type FileLockOptions } from './store/file-lock.js';
export { sessionFilePath, tasksDirectory } from './store/paths.js';
export { encodeTaskList, decodeTaskList } from './store/codec.js';

export * from './agent/index.js';
