/**
 * Exact numbers in machine-readable output. A session file may hold numbers a JavaScript `number`
 * cannot represent (64-bit ids in metadata such as 9007199254740993 or 18446744073709551615). The
 * library keeps their source text beside the parsed value (src/json/raw-numbers.ts), and
 * `printJson` writes that text back; `JSON.stringify` would round them.
 *
 * - CLI `--json` output is printed with {@link printExactJson} (pretty) or {@link stringifyExact}
 *   (compact, one line): every number as stored.
 * - MCP `structuredContent` is serialised by the SDK with `JSON.stringify`, so it cannot carry
 *   such a number as a JSON number. {@link exactStructured} replaces each number that would be
 *   rounded by its exact decimal text (a JSON string) and returns the JSON Pointers of those
 *   places, so a client can tell them from real strings. Numbers that print the same either way
 *   (42, 1.0 vs 1) stay numbers.
 */
import { printJson } from '../json/print.js';
import { rawNumberText } from '../json/raw-numbers.js';

/** `value` as pretty JSON (two-space indent) with every number exactly as it was read. */
export function printExactJson(value: unknown): string {
  return printJson(value);
}

/**
 * `value` as compact JSON, like `JSON.stringify(value)` but with every number as it was read.
 * Recursive: for values of bounded depth (tasks, events; metadata nests at most 100 levels).
 */
export function stringifyExact(value: unknown): string {
  const out: string[] = [];
  const write = (v: unknown, container: object | undefined, key: string): void => {
    if (typeof v === 'number') {
      out.push((container === undefined ? undefined : rawNumberText(container, key, v)) ?? JSON.stringify(v));
    } else if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
    } else if (Array.isArray(v)) {
      out.push('[');
      v.forEach((item, i) => {
        if (i > 0) out.push(',');
        write(item, v, String(i));
      });
      out.push(']');
    } else {
      out.push('{');
      let first = true;
      for (const [k, item] of Object.entries(v)) {
        if (item === undefined || typeof item === 'function') continue;
        out.push(first ? '' : ',', JSON.stringify(k), ':');
        first = false;
        write(item, v, k);
      }
      out.push('}');
    }
  };
  write(value, undefined, '');
  return out.join('');
}

/** Result of {@link exactStructured}. */
export interface ExactStructured<T> {
  /** A copy of the input with inexact numbers as text (the input itself when there were none). */
  readonly value: T;
  /** JSON Pointers (RFC 6901) of the numbers given as text, in document order. */
  readonly numbersAsText: string[];
}

/** `digits e exponent` with no leading or trailing zeros: equal for equal decimal values. */
function canonicalDecimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (m === null) return text;
  const fraction = m[3] ?? '';
  const all = (m[2] + fraction).replace(/^0+/, '');
  if (all === '') return '0';
  const digits = all.replace(/0+$/, '');
  const exponent = Number(m[4] ?? '0') - fraction.length + (all.length - digits.length);
  return `${m[1]}${digits}e${exponent}`;
}

/** The exact source text of `container[key]` when `JSON.stringify` would print another value. */
function inexactText(container: object, key: string, value: number): string | undefined {
  const raw = rawNumberText(container, key, value);
  if (raw === undefined) return undefined;
  return canonicalDecimal(raw) === canonicalDecimal(JSON.stringify(value)) ? undefined : raw;
}

const pointerPart = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * A copy of `value` that `JSON.stringify` writes without changing any number: numbers it would
 * round are replaced by their exact text. Linear in the size of `value`; objects without such
 * numbers below them are shared, not copied.
 */
export function exactStructured<T>(value: T): ExactStructured<T> {
  const numbersAsText: string[] = [];
  const walk = (node: unknown, pointer: string): unknown => {
    if (node === null || typeof node !== 'object') return node;
    let copy: Record<string, unknown> | unknown[] | undefined;
    const entries: [string, unknown][] = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node);
    for (const [key, child] of entries) {
      const here = `${pointer}/${pointerPart(key)}`;
      let next: unknown = child;
      if (typeof child === 'number') {
        const text = inexactText(node, key, child);
        if (text !== undefined) {
          next = text;
          numbersAsText.push(here);
        }
      } else {
        next = walk(child, here);
      }
      if (next !== child) {
        copy ??= Array.isArray(node) ? [...(node as unknown[])] : { ...(node as Record<string, unknown>) };
        (copy as Record<string, unknown>)[key] = next;
      }
    }
    return copy ?? node;
  };
  return { value: walk(value, '') as T, numbersAsText };
}
