/** Constructors of tasks and of the records tasks carry, with the defaults the Rust constructors use. */
import {
  TaskBackgroundStatus,
  TaskSource,
  TaskStatus,
  type TaskExecutionEvidenceKind,
  type TaskMemoryPhase,
} from '../schema/enums.js';
import type { TaskBackgroundJob } from '../schema/background-job.js';
import type { TaskExecutionEvidence } from '../schema/execution.js';
import type { JsonValue } from '../json/value.js';
import type { TaskMemoryEvent } from '../schema/memory.js';
import type { Task } from '../schema/task.js';
import { defaultEnv, type ModelEnv } from './env.js';

/** Fields of a new task beyond the defaults. */
export interface NewTaskFields {
  sessionId: string;
  name: string;
  description: string;
  parentId?: string | null;
  source?: TaskSource;
  agentId?: string | null;
  orchestratorTaskId?: string | null;
  metadata?: JsonValue;
  backgroundJob?: TaskBackgroundJob;
}

/**
 * A new task: fresh id, NotStarted, no dependencies, sort order 0, `created_at == updated_at ==
 * now`. Keys are set in file order.
 */
export function createTaskRecord(fields: NewTaskFields, env: ModelEnv = defaultEnv): Task {
  const now = env.clock.now();
  const task: Task = {
    id: env.newId(),
    name: fields.name,
    description: fields.description,
    status: TaskStatus.NotStarted,
    parent_id: fields.parentId ?? null,
    blocked_by: [],
    sort_order: 0,
    created_at: now,
    updated_at: now,
    session_id: fields.sessionId,
    source: fields.source ?? TaskSource.User,
    orchestrator_task_id: fields.orchestratorTaskId ?? null,
    agent_id: fields.agentId ?? null,
    metadata: fields.metadata ?? null,
  };
  if (fields.backgroundJob !== undefined) task.background_job = fields.backgroundJob;
  return task;
}

/** A new user task (source User). */
export function newTask(sessionId: string, name: string, description: string, parentId?: string | null): Task {
  return createTaskRecord({ sessionId, name, description, parentId });
}

/** A new task with the given source (and, for agent tasks, an optional agent id). */
export function newTaskWithSource(
  sessionId: string,
  name: string,
  description: string,
  parentId: string | null | undefined,
  source: TaskSource,
  agentId?: string | null,
): Task {
  return createTaskRecord({ sessionId, name, description, parentId, source, agentId });
}

/**
 * A task mirroring an orchestrator task: no parent, source Orchestrator, the orchestrator task id
 * and agent id, `metadata` = the context, and a Queued background job "Created by orchestrator".
 */
export function taskFromOrchestratorTask(
  sessionId: string,
  orchestratorTaskId: string,
  agentId: string,
  name: string,
  description: string,
  context?: JsonValue | null,
  env: ModelEnv = defaultEnv,
): Task {
  return createTaskRecord(
    {
      sessionId,
      name,
      description,
      source: TaskSource.Orchestrator,
      orchestratorTaskId,
      agentId,
      metadata: context ?? null,
      backgroundJob: newBackgroundJob(TaskBackgroundStatus.Queued, null, 'Created by orchestrator'),
    },
    env,
  );
}

/** A background job record. */
export function newBackgroundJob(
  status: TaskBackgroundStatus,
  jobId?: string | null,
  message?: string | null,
): TaskBackgroundJob {
  const job: TaskBackgroundJob = { status };
  if (jobId != null) job.job_id = jobId;
  if (message != null) job.message = message;
  return job;
}

/** A memory event recorded now. */
export function newMemoryEvent(
  phase: TaskMemoryPhase,
  summary: string,
  scope?: string | null,
  memoryType?: string | null,
  memoryFilePath?: string | null,
  env: Pick<ModelEnv, 'clock'> = defaultEnv,
): TaskMemoryEvent {
  // Keys in file order: recorded_at last, optional keys only when given.
  return {
    phase,
    summary,
    ...(scope != null ? { scope } : {}),
    ...(memoryType != null ? { memory_type: memoryType } : {}),
    ...(memoryFilePath != null ? { memory_file_path: memoryFilePath } : {}),
    recorded_at: env.clock.now(),
  };
}

/** A piece of execution evidence recorded now (`success` defaults to true). */
export function newExecutionEvidence(
  kind: TaskExecutionEvidenceKind,
  summary: string,
  toolName?: string | null,
  command?: string | null,
  success = true,
  env: Pick<ModelEnv, 'clock'> = defaultEnv,
): TaskExecutionEvidence {
  // Keys in file order: tool_name and command (when given) before success.
  return {
    kind,
    summary,
    ...(toolName != null ? { tool_name: toolName } : {}),
    ...(command != null ? { command } : {}),
    success,
    recorded_at: env.clock.now(),
  };
}
