/**
 * The error types of the public API. Every failure surfaces as a {@link TaskError} subclass whose
 * `message` is exactly the original's text (docs/behaviour.md#errors); the underlying error, when there is one, is `cause`.
 */

/** Which of the four error kinds of the original an error is. */
export type TaskErrorKind = 'NotFound' | 'InvalidInput' | 'Io' | 'Serialization';

/** Base class of every error the library throws. */
export abstract class TaskError extends Error {
  /** The kind of this error, as in the original. */
  abstract readonly kind: TaskErrorKind;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A task id that is not in the session: `Task not found: <id>`. */
export class TaskNotFoundError extends TaskError {
  readonly kind = 'NotFound' as const;
  /** The id that was looked up. */
  readonly taskId: string;

  constructor(taskId: string) {
    super(`Task not found: ${taskId}`);
    this.taskId = taskId;
  }
}

/** Input that breaks a rule: `Invalid input: <text>`. */
export class InvalidInputError extends TaskError {
  readonly kind = 'InvalidInput' as const;
  /** The text after the `Invalid input: ` prefix. */
  readonly detail: string;

  constructor(detail: string, options?: { cause?: unknown }) {
    super(`Invalid input: ${detail}`, options);
    this.detail = detail;
  }
}

/** A file-system failure: `I/O error: <text>`. `path` names the file when one is involved. */
export class TaskIoError extends TaskError {
  readonly kind = 'Io' as const;
  /** The text after the `I/O error: ` prefix. */
  readonly detail: string;
  /** The file or directory involved, when known. */
  readonly path: string | undefined;

  constructor(detail: string, options?: { cause?: unknown; path?: string }) {
    super(`I/O error: ${detail}`, options);
    this.detail = detail;
    this.path = options?.path;
  }
}

/**
 * Data that cannot be read or written as JSON of the expected shape: `Serialization error: <text>`.
 * `path` names the file and `fieldPath` the bad field (e.g. `tasks[3].status`) when known.
 */
export class TaskSerializationError extends TaskError {
  readonly kind = 'Serialization' as const;
  /** The text after the `Serialization error: ` prefix. */
  readonly detail: string;
  /** The file involved, when known. */
  readonly path: string | undefined;
  /** The path of the offending field inside the document, when known. */
  readonly fieldPath: string | undefined;

  constructor(detail: string, options?: { cause?: unknown; path?: string; fieldPath?: string }) {
    super(`Serialization error: ${detail}`, options);
    this.detail = detail;
    this.path = options?.path;
    this.fieldPath = options?.fieldPath;
  }
}

/** True when `value` is any {@link TaskError}. */
export function isTaskError(value: unknown): value is TaskError {
  return value instanceof TaskError;
}
