/** Bad usage found after parsing (exit code 2). Free of library imports, so the entry stays light. */
export class UsageError extends Error {}

/** A positive integer option value, or a usage error naming the option. */
export function positiveInteger(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`option '${option}' must be a positive integer, got '${value}'`);
  return n;
}
