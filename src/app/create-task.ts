/** Creating a task with everything the front ends offer at once, as one commit. */
import type { Task, TaskManager } from '../index.js';

/** What a front end may give when creating a task. */
export interface CreateTaskInput {
  readonly name: string;
  readonly description?: string | undefined;
  readonly parentId?: string | undefined;
  /** Makes it an agent task owned by this agent. */
  readonly agentId?: string | undefined;
  /** Ids of tasks the new one waits for. */
  readonly blockedBy?: readonly string[] | undefined;
}

/**
 * Creates the task and its dependencies in one commit: if any blocker is missing or would make a
 * cycle, nothing is written. Validation is the manager's (names, ids, parent).
 */
export function createTask(manager: TaskManager, sessionId: string, input: CreateTaskInput): Promise<Task> {
  const operation = input.agentId === undefined ? 'createTask' : 'createAgentTask';
  return manager.batch(
    sessionId,
    (tx) => {
      const description = input.description ?? '';
      const created =
        input.agentId === undefined
          ? tx.createTask(input.name, description, input.parentId)
          : tx.createAgentTask(input.name, description, input.agentId, input.parentId);
      for (const blocker of input.blockedBy ?? []) tx.addTaskDependency(created.id, blocker);
      return tx.getTask(created.id) as Task;
    },
    { operation },
  );
}
