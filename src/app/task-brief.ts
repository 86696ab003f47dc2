/** The short form of a task for bounded results: what an agent needs to pick and address it. */
import type { Task, TaskStatus } from '../index.js';

/** Longest name kept in a brief (in UTF-16 units); longer ones end in `…`. */
export const BRIEF_NAME_LENGTH = 200;

/** A task's identity, status and links, without description or metadata. */
export interface TaskBrief {
  readonly id: string;
  readonly name: string;
  readonly status: TaskStatus;
  readonly parent_id: string | null;
  readonly agent_id: string | null;
  readonly blocked_by: string[];
}

/** The brief of `task`. */
export function taskBrief(task: Task): TaskBrief {
  const name = task.name.length > BRIEF_NAME_LENGTH ? `${task.name.slice(0, BRIEF_NAME_LENGTH).toWellFormed()}…` : task.name;
  return { id: task.id, name, status: task.status, parent_id: task.parent_id, agent_id: task.agent_id, blocked_by: task.blocked_by ?? [] };
}
