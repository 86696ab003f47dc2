/** Filtering a session's tasks by status and agent, as `list` (CLI) and `list_tasks` (MCP) offer it. */
import { parseTaskStatus, type Task, type TaskStatus } from '../index.js';

/** A filter as the front ends receive it; every field optional (absent: no condition). */
export interface TaskFilterInput {
  /** Any spelling `parseTaskStatus` accepts (`in_progress`, `done`, `InProgress`, …). */
  readonly status?: string | undefined;
  readonly agentId?: string | undefined;
}

/** A checked filter. */
export interface TaskFilter {
  readonly status?: TaskStatus;
  readonly agentId?: string;
}

/** Checks `input` (an unknown status is an InvalidInputError from the model). */
export function parseTaskFilter(input: TaskFilterInput): TaskFilter {
  return {
    ...(input.status === undefined ? {} : { status: parseTaskStatus(input.status) }),
    ...(input.agentId === undefined ? {} : { agentId: input.agentId }),
  };
}

/** The tasks matching `filter`, in their order. O(n). */
export function filterTasks(tasks: readonly Task[], filter: TaskFilter): Task[] {
  return tasks.filter(
    (t) => (filter.status === undefined || t.status === filter.status) && (filter.agentId === undefined || t.agent_id === filter.agentId),
  );
}
