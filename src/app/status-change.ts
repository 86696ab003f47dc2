/**
 * Setting a task status and reporting every status it changed: the task itself and the ancestors
 * the model reconciled. One commit; the changes are read off the list before and after it.
 */
import type { FenceOptions, Task, TaskManager, TaskStatus } from '../index.js';

/** One task whose status a call changed. */
export interface StatusChange {
  readonly task: Task;
  readonly from: TaskStatus;
  readonly to: TaskStatus;
}

/** The task as stored after the call, and the changes in list order (empty: nothing changed). */
export interface StatusChangeResult {
  readonly task: Task;
  readonly changes: StatusChange[];
}

/**
 * Sets the status of `taskId` (any spelling `parseTaskStatus` accepts). Validation and refusals
 * are the model's (status text, missing task, the completion gate). With `{ claimToken }` the change
 * is fenced: refused, changing nothing, unless that token is the task's live claim. O(n) on top of
 * the operation itself.
 */
export async function setTaskStatus(
  manager: TaskManager,
  sessionId: string,
  taskId: string,
  status: string | TaskStatus,
  fence?: FenceOptions,
): Promise<StatusChangeResult> {
  return manager.batch(
    sessionId,
    (tx) => {
      const before = new Map<string, TaskStatus>();
      for (const t of tx.listTasks()) before.set(t.id, t.status);
      const task = tx.updateTaskStatus(taskId, status, fence);
      const changes: StatusChange[] = [];
      for (const t of tx.listTasks()) {
        const from = before.get(t.id);
        if (from !== undefined && from !== t.status) changes.push({ task: t, from, to: t.status });
      }
      return { task, changes };
    },
    { operation: 'updateTaskStatus' },
  );
}
