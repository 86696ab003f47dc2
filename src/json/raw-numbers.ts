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

/** Records that `container[key]` was written as `text` in the source document. */
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
 * when it still denotes `value`, else `undefined`.
 */
export function rawNumberText(container: object, key: string, value: number): string | undefined {
  if (!anyRecorded) return undefined;
  const text = registry.get(container)?.get(key);
  if (text === undefined) return undefined;
  return Object.is(Number(text), value) ? text : undefined;
}

/** Copies the raw number records of `from` onto `to` (keys already recorded on `to` win). */
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
 * Walks `from` and `to` in parallel (same JSON shape, e.g. a document and its validated copy) and
 * copies raw number records onto every object of `to` that is not the same object as in `from`.
 * Iterative, O(size of the tree); skips subtrees both sides share.
 */
export function transferRawNumbers(from: unknown, to: unknown): void {
  if (!anyRecorded) return;
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
    for (const key of Object.keys(src)) {
      if (Object.prototype.hasOwnProperty.call(dst, key)) {
        pending.push((src as Record<string, unknown>)[key], (dst as Record<string, unknown>)[key]);
      }
    }
  }
}
