/** Status helpers: terminal and active states, parsing and display. */
import { InvalidInputError } from '../errors.js';
import { TaskBackgroundStatus, TaskStatus } from '../schema/enums.js';
import { asciiLowercase, rustTrim } from './text.js';

/** True for Completed and Cancelled. */
export function isTerminalStatus(status: TaskStatus): boolean {
  return status === TaskStatus.Completed || status === TaskStatus.Cancelled;
}

/** True when `task` is Completed or Cancelled. */
export function isTerminal(task: { status: TaskStatus }): boolean {
  return isTerminalStatus(task.status);
}

/** True for Queued, Blocked, AwaitingApproval and Running. */
export function isActiveBackgroundStatus(status: TaskBackgroundStatus): boolean {
  return (
    status === TaskBackgroundStatus.Queued ||
    status === TaskBackgroundStatus.Blocked ||
    status === TaskBackgroundStatus.AwaitingApproval ||
    status === TaskBackgroundStatus.Running
  );
}

const DISPLAY: Record<TaskStatus, string> = {
  NotStarted: 'not_started',
  Blocked: 'blocked',
  InProgress: 'in_progress',
  Completed: 'completed',
  Cancelled: 'cancelled',
};

const ALIASES: Record<string, TaskStatus> = {
  not_started: 'NotStarted',
  todo: 'NotStarted',
  new: 'NotStarted',
  blocked: 'Blocked',
  waiting: 'Blocked',
  pending: 'Blocked',
  in_progress: 'InProgress',
  doing: 'InProgress',
  wip: 'InProgress',
  completed: 'Completed',
  done: 'Completed',
  cancelled: 'Cancelled',
  canceled: 'Cancelled',
  dropped: 'Cancelled',
};

/** The display form of a status: `not_started`, `blocked`, `in_progress`, `completed`, `cancelled`. */
export function formatTaskStatus(status: TaskStatus): string {
  return DISPLAY[status];
}

/**
 * Parses a status from text as Rust's `FromStr` does: trim (Rust whitespace), ASCII-lowercase,
 * `-` → `_`, then the aliases above. Unknown text is an {@link InvalidInputError}.
 */
export function parseTaskStatus(text: string): TaskStatus {
  if (typeof text !== 'string') {
    throw new InvalidInputError(`task status must be a string, got ${typeof text}`);
  }
  const key = asciiLowercase(rustTrim(text)).replaceAll('-', '_');
  const status = Object.prototype.hasOwnProperty.call(ALIASES, key) ? ALIASES[key] : undefined;
  if (status === undefined) {
    throw new InvalidInputError(
      `Unknown task status: '${text}'. Expected: not_started, blocked, in_progress, completed, cancelled`,
    );
  }
  return status;
}
