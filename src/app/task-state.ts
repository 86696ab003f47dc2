/**
 * The front ends' door to the model's readiness rules (src/model/readiness.ts, the only home of
 * open / blocked / ready / can complete). Nothing in src/app, src/cli or src/mcp decides those
 * itself; they import them from here, so the CLI, MCP, dashboard and agent tools always agree with
 * the completion gate and the ready queue.
 */
import { blockingDependencies, isOpen, type Task, type TaskList, type TaskManager } from '../index.js';

export { isOpen };

/** True when task `id` of `list` waits for a missing or open dependency. O(dependencies). */
export function isBlocked(list: TaskList, id: string): boolean {
  return list.isTaskBlocked(id);
}

/** A dependency that still holds `task` back: the blocker, or null when it is missing from the list. */
export interface OpenBlocker {
  readonly id: string;
  readonly task: Task | null;
}

/**
 * The dependencies that keep `task` blocked, in `blocked_by` order (the model's
 * `blockingDependencies`), each with its task when it exists. Empty exactly when
 * {@link isBlocked} is false. O(dependencies).
 */
export function openBlockers(list: TaskList, task: Task): OpenBlocker[] {
  return blockingDependencies(list, task).map((id) => ({ id, task: list.findTask(id) }));
}

/** The session's ready queue, in claim order (the manager's rule). */
export function readyTasks(manager: TaskManager, sessionId: string): Promise<Task[]> {
  return manager.readyTasks(sessionId);
}
