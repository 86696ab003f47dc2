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

/** True when any raw number text is recorded directly on `container`. */
export function hasRawNumbers(container: object): boolean {
  return registry.has(container);
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
 * Linear in the size of the tree; returns at once where both sides share an object.
 */
export function transferRawNumbers(from: unknown, to: unknown): void {
  if (!anyRecorded) return;
  if (from === null || to === null || typeof from !== 'object' || typeof to !== 'object') return;
  if (from === to) return;
  copyRawNumbers(from, to);
  if (Array.isArray(from)) {
    if (!Array.isArray(to)) return;
    const n = Math.min(from.length, to.length);
    for (let i = 0; i < n; i++) transferRawNumbers(from[i], to[i]);
    return;
  }
  const src = from as Record<string, unknown>;
  const dst = to as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    if (Object.prototype.hasOwnProperty.call(dst, key)) transferRawNumbers(src[key], dst[key]);
  }
}
