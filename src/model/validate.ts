/**
 * Argument checks for public operations. Each throws an {@link InvalidInputError} whose text names
 * the argument and what was wrong with it.
 */
import type { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { describeValue, findJsonProblem, type JsonValue } from '../json/value.js';
import { isBlank } from './text.js';
import { RESERVED_DEVICE_NAME, SESSION_ID_PATTERN, SessionIdSchema } from '../schema/session-id.js';

/** A string (well-formed Unicode, so every JSON reader can load it). */
export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${name} must be a string, got ${describeValue(value)}`);
  if (!value.isWellFormed()) throw new InvalidInputError(`${name} contains a lone surrogate and cannot be stored as JSON`);
  return value;
}

/** A string or none (`undefined`/`null` → null). */
export function optionalString(value: unknown, name: string): string | null {
  return value === undefined || value === null ? null : requireString(value, name);
}

/** A non-empty string (ids). */
export function requireId(value: unknown, name: string): string {
  const s = requireString(value, name);
  if (s === '') throw new InvalidInputError(`${name} must not be empty`);
  return s;
}

/** A task name: a string that is not empty after trimming (Rust whitespace, see text.ts). */
export function requireTaskName(value: unknown, name = 'task name'): string {
  const s = requireString(value, name);
  if (isBlank(s)) throw new InvalidInputError(`${name} must not be empty`);
  return s;
}

/** A valid session id (README guarantee on safe paths), checked before any file is touched. */
export function requireSessionId(value: unknown): string {
  // Fast path for the common case (every call checks its session id); the schema gives the message.
  if (typeof value === 'string' && SESSION_ID_PATTERN.test(value) && !RESERVED_DEVICE_NAME.test(value)) return value;
  const parsed = SessionIdSchema.safeParse(value);
  if (!parsed.success) {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : describeValue(value);
    throw new InvalidInputError(`invalid session id ${shown}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** A boolean. */
export function requireBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidInputError(`${name} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/** A safe integer within [min, max]. */
export function requireInteger(value: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`${name} must be an integer from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

/** Plain JSON: no undefined, functions, NaN, cycles, BigInt, class instances. */
export function requireJson(value: unknown, name: string, options: { skipUndefinedProperties?: boolean } = {}): JsonValue {
  let problem: ReturnType<typeof findJsonProblem>;
  try {
    problem = findJsonProblem(value, name, options);
  } catch (error) {
    // A getter or proxy trap that throws is the caller's input failing, not an I/O failure.
    throw new InvalidInputError(`${name} cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (problem !== null) throw new InvalidInputError(`${name} is not JSON at ${problem.path}: ${problem.problem}`);
  return value as JsonValue;
}

/** A value accepted by `schema`; the error names `name` and the path inside it. */
export function requireSchema<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? `${name}.${issue.path.map(String).join('.')}` : name;
    throw new InvalidInputError(`${path}: ${issue?.message ?? 'invalid value'}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** A function. */
export function requireFunction<F extends (...args: never[]) => unknown>(value: unknown, name: string): F {
  if (typeof value !== 'function') throw new InvalidInputError(`${name} must be a function, got ${describeValue(value)}`);
  return value as F;
}
