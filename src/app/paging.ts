/**
 * Pages of a result list, bounded by a count and by a byte budget, with an offset cursor for the
 * next page. Used wherever a result could grow with the session (MCP tool results).
 */
import { InvalidInputError } from '../index.js';

/** What a caller asks for. */
export interface PageRequest {
  /** At most this many items. */
  readonly limit?: number | undefined;
  /** Where to continue: the `next_cursor` of the previous page. */
  readonly cursor?: string | undefined;
}

/** One page. */
export interface Page<T> {
  readonly items: T[];
  /** Items in the whole result. */
  readonly total: number;
  /** Position of the first item in the whole result. */
  readonly offset: number;
  /** Cursor for the next page, or null when this page reaches the end. */
  readonly next_cursor: string | null;
}

/** The offset a cursor stands for (cursors are plain offsets; anything else is refused). */
export function parseCursor(cursor: string | undefined, total: number): number {
  if (cursor === undefined || cursor === '') return 0;
  const offset = /^\d{1,15}$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset > total) {
    throw new InvalidInputError(`cursor '${cursor.slice(0, 40)}' is not a cursor this server gave for this result (${total} items)`);
  }
  return offset;
}

/**
 * The page of `items` from the cursor on: at most `limit` items, and no more than fit in
 * `maxBytes` as measured by `cost` (at least one item, so every call makes progress). O(page).
 */
export function takePage<T>(items: readonly T[], request: PageRequest, maxBytes: number, cost: (item: T) => number): Page<T> {
  const offset = parseCursor(request.cursor, items.length);
  const limit = request.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 1)) throw new InvalidInputError(`limit must be at least 1, got ${String(request.limit)}`);
  const page: T[] = [];
  let bytes = 0;
  for (let i = offset; i < items.length && page.length < limit; i++) {
    const item = items[i] as T;
    const size = cost(item);
    if (page.length > 0 && bytes + size > maxBytes) break;
    page.push(item);
    bytes += size;
  }
  const end = offset + page.length;
  return { items: page, total: items.length, offset, next_cursor: end < items.length ? String(end) : null };
}
