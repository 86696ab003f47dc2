/**
 * JSON values: the type, a validator for values coming from callers, an ordered-record builder and
 * a deep copy that keeps raw number text. All linear in the size of the value.
 */
import { copyRawNumbers } from './raw-numbers.js';
import { isOmitted, type RecordForm } from './record-form.js';

/** Any value that JSON can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The deepest nesting of arrays and objects accepted in caller-supplied metadata. serde_json (the
 * Rust reader) refuses documents nested deeper than 128 levels and metadata sits 3 levels down,
 * so anything deeper would make the file unreadable there.
 */
export const MAX_JSON_DEPTH = 100;

/** Where and why a value is not JSON. */
export interface JsonProblem {
  /** Path of the offending part, e.g. `metadata.steps[2]`. */
  readonly path: string;
  /** What is wrong there. */
  readonly problem: string;
}

/** Appends `key` to a dotted path, quoting keys that are not identifiers. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

/**
 * Checks that `value` is plain JSON: no `undefined`, functions, symbols, BigInt, non-finite
 * numbers, cycles, class instances, lone surrogates in strings, or nesting deeper than
 * {@link MAX_JSON_DEPTH}. Returns the first problem found, or `null`. With
 * `skipUndefinedProperties`, object keys whose value is `undefined` count as absent.
 */
export function findJsonProblem(value: unknown, path: string, options: { skipUndefinedProperties?: boolean } = {}): JsonProblem | null {
  const ancestors = new Set<object>();
  const visit = (v: unknown, p: string, depth: number): JsonProblem | null => {
    switch (typeof v) {
      case 'string':
        return v.isWellFormed() ? null : { path: p, problem: 'string contains a lone surrogate' };
      case 'boolean':
        return null;
      case 'number':
        return Number.isFinite(v) ? null : { path: p, problem: `${v} is not a JSON number` };
      case 'object':
        break;
      default:
        return { path: p, problem: `${describe(v)} is not JSON` };
    }
    if (v === null) return null;
    if (depth >= MAX_JSON_DEPTH) return { path: p, problem: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (ancestors.has(v)) return { path: p, problem: 'value contains a cycle' };
    const proto = Object.getPrototypeOf(v) as unknown;
    const isArray = Array.isArray(v);
    if (!isArray && proto !== Object.prototype && proto !== null) {
      return { path: p, problem: `${describe(v)} is not JSON` };
    }
    ancestors.add(v);
    try {
      if (isArray) {
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) return { path: joinPath(p, i), problem: 'sparse array hole is not JSON' };
          const found = visit(v[i], joinPath(p, i), depth + 1);
          if (found) return found;
        }
      } else {
        if (Object.getOwnPropertySymbols(v).length > 0) return { path: p, problem: 'symbol keys are not JSON' };
        for (const key of Object.keys(v)) {
          if (!key.isWellFormed()) return { path: p, problem: 'key contains a lone surrogate' };
          const child = (v as Record<string, unknown>)[key];
          if (child === undefined && options.skipUndefinedProperties) continue;
          const found = visit(child, joinPath(p, key), depth + 1);
          if (found) return found;
        }
      }
    } finally {
      ancestors.delete(v);
    }
    return null;
  };
  return visit(value, path, 0);
}

/** Sets `obj[key] = value` as an own data property, even for the key `__proto__`. */
export function defineEntry(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/**
 * Deep copy of a JSON-shaped value; raw number text is carried over. Objects are copied by spread
 * (own enumerable keys in order, a `__proto__` key included as a data property) and then only their
 * nested objects are replaced, which is several times faster than rebuilding key by key.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  let copy: object;
  if (Array.isArray(value)) {
    const items = value.slice();
    for (let i = 0; i < items.length; i++) {
      const v: unknown = items[i];
      if (v !== null && typeof v === 'object') items[i] = cloneJson(v);
    }
    copy = items;
  } else {
    const entries: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key in entries) {
      const v = entries[key];
      // hasOwn only for objects: inherited keys (a polluted prototype) are never copied in.
      if (v !== null && typeof v === 'object' && Object.hasOwn(entries, key)) defineEntry(entries, key, cloneJson(v));
    }
    copy = entries;
  }
  copyRawNumbers(value, copy);
  return copy as T;
}

/**
 * A copy of the record `value` as a plain object whose keys follow `form` (omission rules applied,
 * unknown keys after the named ones), nested records laid out by their own forms. Used to store
 * typed records inside free-form metadata.
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
