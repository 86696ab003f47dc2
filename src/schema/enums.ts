/**
 * The enumerations of the persisted records. Each is a const object (`TaskStatus.InProgress === 'InProgress'`),
 * a string-literal union type of the same name, and a zod schema; the serialized string is the value.
 */
import { lazySchema, zod } from './lazy.js';

/** Lifecycle status of a task. Terminal: Completed, Cancelled. */
export const TaskStatus = {
  NotStarted: 'NotStarted',
  Blocked: 'Blocked',
  InProgress: 'InProgress',
  Completed: 'Completed',
  Cancelled: 'Cancelled',
} as const;
/** Lifecycle status of a task. */
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
/** Schema of {@link TaskStatus}. */
export const TaskStatusSchema = lazySchema(() => zod().enum(TaskStatus));

/** Who created a task. */
export const TaskSource = { User: 'User', Agent: 'Agent', Orchestrator: 'Orchestrator' } as const;
/** Who created a task. */
export type TaskSource = (typeof TaskSource)[keyof typeof TaskSource];
/** Schema of {@link TaskSource}. */
export const TaskSourceSchema = lazySchema(() => zod().enum(TaskSource));

/** State of a task's background job. Active: Queued, Blocked, AwaitingApproval, Running. */
export const TaskBackgroundStatus = {
  Queued: 'Queued',
  Blocked: 'Blocked',
  AwaitingApproval: 'AwaitingApproval',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
} as const;
/** State of a task's background job. */
export type TaskBackgroundStatus = (typeof TaskBackgroundStatus)[keyof typeof TaskBackgroundStatus];
/** Schema of {@link TaskBackgroundStatus}. */
export const TaskBackgroundStatusSchema = lazySchema(() => zod().enum(TaskBackgroundStatus));

/** Phase of a memory event. */
export const TaskMemoryPhase = {
  Delegated: 'delegated',
  Handoff: 'handoff',
  Promoted: 'promoted',
  Blocked: 'blocked',
} as const;
/** Phase of a memory event. */
export type TaskMemoryPhase = (typeof TaskMemoryPhase)[keyof typeof TaskMemoryPhase];
/** Schema of {@link TaskMemoryPhase}. */
export const TaskMemoryPhaseSchema = lazySchema(() => zod().enum(TaskMemoryPhase));

/** What kind of work a task's execution is. */
export const TaskExecutionKind = {
  Planning: 'planning',
  Implementation: 'implementation',
  Verification: 'verification',
  General: 'general',
} as const;
/** What kind of work a task's execution is. */
export type TaskExecutionKind = (typeof TaskExecutionKind)[keyof typeof TaskExecutionKind];
/** Schema of {@link TaskExecutionKind}. */
export const TaskExecutionKindSchema = lazySchema(() => zod().enum(TaskExecutionKind));

/** Kind of a piece of execution evidence. */
export const TaskExecutionEvidenceKind = {
  ToolActivity: 'tool_activity',
  Diagnostic: 'diagnostic',
  Contradiction: 'contradiction',
  Blocker: 'blocker',
  Mutation: 'mutation',
  Build: 'build',
  Test: 'test',
  Artifact: 'artifact',
} as const;
/** Kind of a piece of execution evidence. */
export type TaskExecutionEvidenceKind = (typeof TaskExecutionEvidenceKind)[keyof typeof TaskExecutionEvidenceKind];
/** Schema of {@link TaskExecutionEvidenceKind}. */
export const TaskExecutionEvidenceKindSchema = lazySchema(() => zod().enum(TaskExecutionEvidenceKind));
