/** Looking up one task with what a detail view needs. */
import { TaskNotFoundError, type Task, type TaskList, type TaskManager } from '../index.js';
import { isBlocked } from './task-state.js';

/** A task and the list it was read from (for names of parents, subtasks and blockers). */
export interface TaskDetails {
  readonly task: Task;
  readonly list: TaskList;
  readonly isBlocked: boolean;
}

/** Reads task `id` of the session; a missing task is a TaskNotFoundError. */
export async function loadTaskDetails(manager: TaskManager, sessionId: string, id: string): Promise<TaskDetails> {
  const list = await manager.loadTaskList(sessionId);
  const task = list.findTask(id);
  if (task === null) throw new TaskNotFoundError(id);
  return { task, list, isBlocked: isBlocked(list, task.id) };
}
