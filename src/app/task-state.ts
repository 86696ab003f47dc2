/**
 * The one place where the front ends ask whether a task is open, blocked or ready. Nothing in
 * src/app, src/cli or src/mcp decides that itself: every answer comes from the model's own rules
 * (the same ones the completion gate and the ready queue use), through this file.
 */
import { isTerminal, type Task, type TaskList, type TaskManager } from '../index.js';

/** True when `task` is neither completed nor cancelled. */
export function isOpen(task: Task): boolean {
  return !isTerminal(task);
}

/** True when task `id` of `list` waits for a missing or open dependency (the model's rule). */
export function isBlocked(list: TaskList, id: string): boolean {
  return list.isTaskBlocked(id);
}

/** A dependency that still holds `task` back: the blocker, or null when it is missing from the list. */
export interface OpenBlocker {
  readonly id: string;
  readonly task: Task | null;
}

/**
 * The dependencies that keep `task` blocked, in `blocked_by` order: missing ones and open ones.
 * Empty exactly when {@link isBlocked} is false. O(dependencies).
 */
export function openBlockers(list: TaskList, task: Task): OpenBlocker[] {
  const out: OpenBlocker[] = [];
  for (const id of task.blocked_by ?? []) {
    const blocker = list.findTask(id);
    if (blocker === null || isOpen(blocker)) out.push({ id, task: blocker });
  }
  return out;
}

/** The session's ready queue, in claim order (the manager's rule). */
export function readyTasks(manager: TaskManager, sessionId: string): Promise<Task[]> {
  return manager.readyTasks(sessionId);
}
