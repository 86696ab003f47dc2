/** Turns zod issues into one readable line with a field path, the way zod itself reports them. */
import type { z } from 'zod';
import { joinPath } from '../json/value.js';

/** Formats a zod path as `tasks[3].status`. O(length of the result). */
export function formatPath(path: readonly PropertyKey[], base = ''): string {
  let out = base;
  for (const key of path) out = joinPath(out, typeof key === 'number' ? key : String(key));
  return out;
}

/** The first issue of a zod error as `text` (`at <path>: <message>`) and its `path`. */
export function formatZodIssue(error: z.ZodError, base = ''): { text: string; path: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { text: 'invalid value', path: base };
  const path = formatPath(issue.path, base);
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return { text: `${path === '' ? 'value' : path}: ${issue.message}${more}`, path };
}
