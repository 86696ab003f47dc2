/**
 * Typed records stored inside free-form metadata: the execution state at
 * `metadata.execution_state` and the memory lifecycle at `metadata.memory_lifecycle`.
 */
import type { z } from 'zod';
import { TaskSerializationError } from '../errors.js';
import { copyRawNumbers, transferRawNumbers } from '../json/raw-numbers.js';
import { cloneJson, defineEntry, toOrderedJson, type JsonValue } from '../json/value.js';
import type { RecordForm } from '../json/record-form.js';
import type { Task } from '../schema/task.js';
import { formatZodIssue } from './zod-issues.js';

/** The metadata key of the execution state. */
export const EXECUTION_STATE_KEY = 'execution_state';
/** The metadata key of the memory lifecycle. */
export const MEMORY_LIFECYCLE_KEY = 'memory_lifecycle';

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads the record at `metadata[key]` of `task` with `schema`: null when the metadata is not an
 * object or has no such key; a {@link TaskSerializationError} naming the field when it is malformed.
 * The result is a fresh copy that keeps the exact text of numbers and `__proto__` keys of the
 * record's unknown keys. O(size of the record).
 */
export function readMetadataRecord<S extends z.ZodType>(task: Task, key: string, schema: S): z.output<S> | null {
  const metadata = task.metadata;
  if (!isJsonObject(metadata) || !Object.prototype.hasOwnProperty.call(metadata, key)) return null;
  const input = cloneJson(metadata[key]);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const { text, path } = formatZodIssue(parsed.error, `metadata.${key}`);
    throw new TaskSerializationError(`task '${task.id}' has malformed ${text}`, { fieldPath: path, cause: parsed.error });
  }
  // Unknown keys keep their exact numbers and `__proto__` keys when the record is written back.
  transferRawNumbers(input, parsed.data);
  return parsed.data;
}

/**
 * New metadata for `task`: its metadata if it is an object (a shallow copy), else `{}`, with
 * `entries` set. Never mutates the task's metadata. O(keys of the metadata + size of `entries`).
 */
export function withMetadataEntries(task: Task, entries: Record<string, JsonValue>): Record<string, JsonValue> {
  const base: Record<string, JsonValue> = isJsonObject(task.metadata) ? { ...task.metadata } : {};
  // Keep the exact text of numbers held directly in the metadata object (README, guarantee 7).
  if (isJsonObject(task.metadata)) copyRawNumbers(task.metadata, base);
  for (const [key, value] of Object.entries(entries)) defineEntry(base, key, value);
  return base;
}

/** The record `value` laid out by `form`, ready to be stored in metadata. O(size of the record). */
export function recordToJson(value: object, form: RecordForm): JsonValue {
  return toOrderedJson(value as Record<string, unknown>, form);
}
