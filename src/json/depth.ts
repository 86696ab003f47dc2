/**
 * Nesting limits and field paths.
 *
 * A task file may nest arrays and objects at most {@link MAX_DOCUMENT_DEPTH} levels deep: the Rust
 * reader (serde_json) refuses anything deeper, so such a file could not be shared with it, and a
 * bound keeps every walk over a document cheap. Files deeper than that are refused when read and
 * never written (see README, guarantee 7).
 */

/**
 * The deepest nesting of arrays and objects in a document (the top-level value is level 1).
 * serde_json counts down from 128 and fails when it reaches 0, so it reads 127 levels at most.
 */
export const MAX_DOCUMENT_DEPTH = 127;

/** Longest key shown in a path of an error message; longer keys are cut with `…`. */
const SHOWN_KEY_LENGTH = 40;

/** Appends `key` to a dotted path, quoting keys that are not identifiers. O(length of the result). */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** The path of a chain of keys (array indexes as numbers), long keys shortened. O(total length). */
export function pathOf(keys: readonly (string | number)[], base = ''): string {
  let path = base;
  for (const key of keys) {
    path = joinPath(path, typeof key === 'string' && key.length > SHOWN_KEY_LENGTH ? `${key.slice(0, SHOWN_KEY_LENGTH)}…` : key);
  }
  return path;
}

/** The message for a value nested too deep (long paths shortened in the middle). O(length of the path). */
export function depthReason(path: string, depth: number, limit: number): string {
  const shown = path.length > 100 ? `${path.slice(0, 60)}…${path.slice(-30)}` : path;
  return `the value at ${shown === '' ? 'the top level' : shown} is nested ${depth} levels deep; at most ${limit} levels can be read`;
}

/**
 * True when `value` nests arrays and objects more than `limit` levels deep (`value` itself, when a
 * container, is level 1). Iterative, stops at the first level too deep; O(size of the value).
 */
export function exceedsDepth(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    if (Array.isArray(node)) {
      for (const child of node) {
        if (child !== null && typeof child === 'object') {
          stack.push(child as object);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/**
 * True when the JSON text `text` opens more than `limit` arrays and objects at once (brackets in
 * strings do not count). Stops at the first level too deep; O(length of the text) at most.
 */
export function textExceedsDepth(text: string, limit: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, honouring backslash escapes.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x22) break;
        if (d === 0x5c) i++;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
