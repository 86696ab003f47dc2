/** Result records that operations return: computed, never persisted. */
import type { Task } from './task.js';

/** A task with its children, for tree views. */
export interface TaskTreeNode {
  task: Task;
  children: TaskTreeNode[];
}

/** Outcome of `finalizeTrackedTaskAfterAgentRun`. */
export type TrackedTaskFinalization =
  | { kind: 'Completed' }
  | { kind: 'StillInProgress'; open_subtask_ids: string[] };

/** Outcome of materialising a requirement breakdown. */
export interface MaterializedTaskBreakdown {
  /** Every spec's task, created or reused, in processing order. */
  created_tasks: Task[];
  /** Ids of the tasks of specs without a parent name. */
  root_task_ids: string[];
}

/** Outcome of `initializeAutoTrackedExecutionPlan`. */
export interface AutoTrackedExecutionPlan {
  /** The root task as stored at the end of the call. */
  root_task: Task;
  /** Up to 8 open subtasks as `<name> [<display status>]`. */
  planned_subtasks: string[];
  /** The task the current pointer was set to: the first open subtask, else the root. */
  initial_task_id: string;
  /** The name of that task. */
  initial_task_name: string;
  /** Number of spec tasks (created or reused). */
  generated_task_count: number;
}
