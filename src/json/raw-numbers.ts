/**
 * Exact number text for JSON numbers that a JavaScript `number` cannot reproduce.
 *
 * A file may hold `9007199254740993`, `1.0` or `1e21`; `JSON.parse` turns them into numbers whose
 * printed form differs. The lossless parser records the original text here, keyed by the object or
 * array that holds the number and the key (or index) under which it sits. The printer writes the
 * recorded text back as long as the value still equals the number it denotes, so untouched values
 * survive a read-modify-write byte for byte, while the values users see stay plain numbers.
 */

const registry = new WeakMap<object, Map<string, string>>();
/** False until the first record: lets copies skip registry lookups when no file had raw numbers. */
let anyRecorded = false;
/**
 * False until a value with an own `__proto__` key may have been seen (see {@link noteProtoKey}):
 * lets {@link transferRawNumbers} skip its walk when there is nothing to restore.
 */
let anyProtoKey = false;

/**
 * Notes that a value with an own `__proto__` key may exist, so that {@link transferRawNumbers}
 * restores such keys after validation. Called by the parser and the JSON validator; a false alarm
 * only costs a walk.
 */
export function noteProtoKey(): void {
  anyProtoKey = true;
}

/** Records that `container[key]` was written as `text` in the source document. O(1). */
export function setRawNumber(container: object, key: string, text: string): void {
  anyRecorded = true;
  let entries = registry.get(container);
  if (entries === undefined) {
    entries = new Map();
    registry.set(container, entries);
  }
  entries.set(key, text);
}

/**
 * The text to print for the number `value` found at `container[key]`: the recorded source text
 * when it still denotes `value`, else `undefined`. O(length of the text).
 */
export function rawNumberText(container: object, key: string, value: number): string | undefined {
  if (!anyRecorded) return undefined;
  const text = registry.get(container)?.get(key);
  if (text === undefined) return undefined;
  return Object.is(Number(text), value) ? text : undefined;
}

/** Copies the raw number records of `from` onto `to` (keys already recorded on `to` win). O(records on `from`). */
export function copyRawNumbers(from: object, to: object): void {
  if (!anyRecorded) return;
  const entries = registry.get(from);
  if (entries === undefined || from === to) return;
  for (const [key, text] of entries) {
    const existing = registry.get(to);
    if (existing?.has(key)) continue;
    setRawNumber(to, key, text);
  }
}

/**
 * Carries over onto `to` what validating `from` with a zod schema loses, walking both in parallel
 * (same JSON shape, e.g. a document and its validated copy): the raw number text of every object
 * and array, and own `__proto__` keys, which zod's object parsing leaves out (they go back in their
 * place among the keys). Iterative, O(size of the tree); skips subtrees both sides share, and does
 * nothing at all while no raw number and no `__proto__` key has been seen.
 */
export function transferRawNumbers(from: unknown, to: unknown): void {
  if (!anyRecorded && !anyProtoKey) return;
  const pending: unknown[] = [from, to];
  while (pending.length > 0) {
    const dst = pending.pop();
    const src = pending.pop();
    if (src === null || dst === null || typeof src !== 'object' || typeof dst !== 'object' || src === dst) continue;
    copyRawNumbers(src, dst);
    if (Array.isArray(src)) {
      if (!Array.isArray(dst)) continue;
      const n = Math.min(src.length, dst.length);
      for (let i = 0; i < n; i++) pending.push(src[i], dst[i]);
      continue;
    }
    if (Array.isArray(dst)) continue;
    const source = src as Record<string, unknown>;
    const target = dst as Record<string, unknown>;
    if (anyProtoKey && Object.hasOwn(source, '__proto__') && !Object.hasOwn(target, '__proto__')) restoreProtoKey(source, target);
    for (const key of Object.keys(source)) {
      if (Object.hasOwn(target, key)) pending.push(source[key], target[key]);
    }
  }
}

/** Puts `source.__proto__` on `target` as an own key, before the keys that follow it in `source`. O(keys). */
function restoreProtoKey(source: Record<string, unknown>, target: Record<string, unknown>): void {
  const keys = Object.keys(source);
  const later = keys.slice(keys.indexOf('__proto__') + 1).filter((key) => Object.hasOwn(target, key));
  const values = later.map((key) => target[key]);
  for (const key of later) delete target[key];
  Object.defineProperty(target, '__proto__', { value: source['__proto__'], writable: true, enumerable: true, configurable: true });
  later.forEach((key, i) => {
    target[key] = values[i];
  });
}
