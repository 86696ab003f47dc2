/**
 * JSON values: the type, a validator for values coming from callers, an ordered-record builder and
 * a deep copy that keeps raw number text. All linear in the size of the value.
 */
import { joinPath, pathOf } from './depth.js';
import { copyRawNumbers, noteProtoKey, rawNumberText } from './raw-numbers.js';
import { isOmitted, type RecordForm } from './record-form.js';

/** Any value that JSON can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The deepest nesting of arrays and objects accepted in caller-supplied metadata. Metadata sits 3
 * levels down in a task file, well inside the limit of a file (`MAX_DOCUMENT_DEPTH`, depth.ts), so any
 * metadata accepted here can be written and read back, by this library and by the Rust reader.
 */
export const MAX_JSON_DEPTH = 100;

/** Where and why a value is not JSON. */
export interface JsonProblem {
  /** Path of the offending part, e.g. `metadata.steps[2]`. */
  readonly path: string;
  /** What is wrong there. */
  readonly problem: string;
}

export { joinPath };

/**
 * How a value is named in error messages: `null`, `undefined`, `an array`, `an object` (or `a Map`
 * for an instance of a class), `a function`, `a symbol`, else its type and text
 * (`string "yes"`, `number 3`, `bigint 12`), cut to 60 characters.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object': {
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
      return name && name !== 'Object' ? `a ${name}` : 'an object';
    }
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return `${typeof value} ${JSON.stringify(String(value)).slice(0, 60)}`;
  }
}

/** Where a value sits below the checked root: its container's place and its key. Built on demand. */
interface Place {
  readonly parent: Place | null;
  readonly key: string | number;
}

function placePath(base: string, parent: Place | null, key: string | number | null): string {
  const keys: (string | number)[] = key === null ? [] : [key];
  for (let p = parent; p !== null; p = p.parent) keys.push(p.key);
  return pathOf(keys.reverse(), base);
}

/**
 * Checks that `value` is plain JSON: no `undefined`, functions, symbols, BigInt, non-finite
 * numbers (except one read from a file as written there, such as `1e400`), cycles, class instances, lone surrogates in strings, or nesting deeper than
 * {@link MAX_JSON_DEPTH}. Returns the first problem found, or `null`. With
 * `skipUndefinedProperties`, object keys whose value is `undefined` count as absent.
 *
 * O(size of the value): paths are only built for the problem reported. Recursion is bounded by
 * {@link MAX_JSON_DEPTH}.
 */
export function findJsonProblem(value: unknown, path: string, options: { skipUndefinedProperties?: boolean } = {}): JsonProblem | null {
  const ancestors = new Set<object>();
  const skipUndefined = options.skipUndefinedProperties === true;
  const problem = (parent: Place | null, key: string | number | null, text: string): JsonProblem => ({
    path: placePath(path, parent, key),
    problem: text,
  });
  /** The problem with `v`, found at `container[key]`, unless it is an array or object. */
  const scalarProblem = (v: unknown, container?: object, key?: string | number): string | null => {
    switch (typeof v) {
      case 'string':
        return v.isWellFormed() ? null : 'string contains a lone surrogate';
      case 'boolean':
        return null;
      case 'number':
        // A number read from a file beyond double range (`1e400`) keeps its text and is written back as is.
        if (Number.isFinite(v) || (container !== undefined && rawNumberText(container, String(key), v) !== undefined)) return null;
        return `${v} is not a JSON number`;
      case 'object':
        return null;
      default:
        return `${describeValue(v)} is not JSON`;
    }
  };
  /** `v` is a non-null object at `place` (null: the root). */
  const visit = (v: object, parent: Place | null, key: string | number | null, depth: number): JsonProblem | null => {
    if (depth >= MAX_JSON_DEPTH) return problem(parent, key, `nested deeper than ${MAX_JSON_DEPTH} levels`);
    if (ancestors.has(v)) return problem(parent, key, 'value contains a cycle');
    const proto = Object.getPrototypeOf(v) as unknown;
    const isArray = Array.isArray(v);
    if (!isArray && proto !== Object.prototype && proto !== null) return problem(parent, key, `${describeValue(v)} is not JSON`);
    const here: Place | null = key === null ? parent : { parent, key };
    ancestors.add(v);
    try {
      if (isArray) {
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) return problem(here, i, 'sparse array hole is not JSON');
          const child: unknown = v[i];
          const text = scalarProblem(child, v, i);
          if (text !== null) return problem(here, i, text);
          if (child !== null && typeof child === 'object') {
            const found = visit(child, here, i, depth + 1);
            if (found) return found;
          }
        }
      } else {
        if (Object.getOwnPropertySymbols(v).length > 0) return problem(parent, key, 'symbol keys are not JSON');
        for (const k of Object.keys(v)) {
          if (!k.isWellFormed()) return problem(parent, key, 'key contains a lone surrogate');
          if (k === '__proto__') noteProtoKey();
          const child = (v as Record<string, unknown>)[k];
          if (child === undefined && skipUndefined) continue;
          const text = scalarProblem(child, v, k);
          if (text !== null) return problem(here, k, text);
          if (child !== null && typeof child === 'object') {
            const found = visit(child, here, k, depth + 1);
            if (found) return found;
          }
        }
      }
    } finally {
      ancestors.delete(v);
    }
    return null;
  };
  const text = scalarProblem(value);
  if (text !== null) return { path, problem: text };
  return value !== null && typeof value === 'object' ? visit(value, null, null, 0) : null;
}

/** Sets `obj[key] = value` as an own data property, even for the key `__proto__`. O(1). */
export function defineEntry(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/**
 * Deep copy of a JSON-shaped value; raw number text is carried over. Iterative (depth costs heap,
 * not call stack) and O(size of the value): each array and object is read once. Small objects are
 * copied by spread (own enumerable keys in order, a `__proto__` key included as a data property),
 * which is several times faster than rebuilding them key by key; large ones key by key, which is
 * faster for them.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  const holder: Record<string, unknown> = {};
  // Triples (original, container of its copy, key there): the copy is made when the triple is taken.
  const pending: unknown[] = [value, holder, 'root'];
  while (pending.length > 0) {
    const key = pending.pop() as string;
    const container = pending.pop() as Record<string, unknown>;
    const original = pending.pop() as object;
    const copy = copyContainer(original, pending);
    if (key === '__proto__') defineEntry(container, key, copy);
    else container[key] = copy;
    copyRawNumbers(original, copy);
  }
  return holder.root as T;
}

/** Objects with more keys than this are copied key by key: spreading a large (dictionary-mode) object is slow. */
const SPREAD_LIMIT = 32;

/**
 * A shallow copy of `value`; each nested array or object is queued on `pending` to be copied in
 * its place. O(number of entries).
 */
function copyContainer(value: object, pending: unknown[]): object {
  if (Array.isArray(value)) {
    const items = value.slice();
    for (let i = 0; i < items.length; i++) {
      const v: unknown = items[i];
      if (v !== null && typeof v === 'object') pending.push(v, items, i);
    }
    return items;
  }
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  if (keys.length <= SPREAD_LIMIT) {
    const copy = { ...source };
    for (const key of keys) {
      const v = copy[key];
      if (v !== null && typeof v === 'object') pending.push(v, copy, key);
    }
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const v = source[key];
    if (key === '__proto__') defineEntry(copy, key, v);
    else copy[key] = v;
    if (v !== null && typeof v === 'object') pending.push(v, copy, key);
  }
  return copy;
}

/**
 * A copy of the record `value` as a plain object whose keys follow `form` (omission rules applied,
 * unknown keys after the named ones), nested records laid out by their own forms. Used to store
 * typed records inside free-form metadata. O(size of the value); recursion follows the forms only.
 */
export function toOrderedJson(value: Record<string, unknown>, form: RecordForm): Record<string, JsonValue> {
  const out: Record<string, unknown> = {};
  for (const field of form.fields) {
    const v = value[field.key];
    if (isOmitted(field, v)) continue;
    let copy: unknown = v === undefined ? null : cloneJson(v);
    if (field.record && copy !== null && typeof copy === 'object' && !Array.isArray(copy)) {
      copy = toOrderedJson(copy as Record<string, unknown>, field.record);
    } else if (field.items && Array.isArray(copy)) {
      const itemForm = field.items;
      copy = copy.map((item: unknown) =>
        item !== null && typeof item === 'object' && !Array.isArray(item)
          ? toOrderedJson(item as Record<string, unknown>, itemForm)
          : item,
      );
    }
    defineEntry(out, field.key, copy);
  }
  for (const key of Object.keys(value)) {
    if (form.known.has(key) || value[key] === undefined) continue;
    defineEntry(out, key, cloneJson(value[key]));
  }
  copyRawNumbers(value, out);
  return out as Record<string, JsonValue>;
}
