/**
 * A session's list from the rows of the read statement (statements.ts): either every live row, or
 * the rows changed since the version a reader holds merged into the list it holds. Rows come in
 * position order after the session row, so the merge is one linear pass; only the changed rows
 * are decoded.
 */
import type { Task } from '../../schema/task.js';
import { decodeTaskText, listFromPieces } from '../codec.js';
import type { StoredList } from '../task-store.js';

/** The version of a list read from (or written to) a PostgresTaskStore. */
export interface RowVersion {
  /** The server and schema (the same for every store on them). */
  readonly store: string;
  /** The session row's incarnation: a row made anew (tables dropped and made again) has another. */
  readonly incarnation: string;
  /** The session version: bumped by every commit. */
  readonly version: bigint;
  /** The position of each task of the list, in list order. */
  readonly positions: readonly number[];
}

/** A list this store returned, with its row version. */
export type RowList = StoredList & { readonly version: RowVersion };

/** A row of the read statement: the session row first (position null), then task rows. */
export interface ReadRow {
  position: string | null;
  version: string | null;
  incarnation: string | null;
  purged: string | null;
  /** Session row: `top` (null when unchanged); task row: the task text (null: a tombstone). */
  body: string | null;
}

/** A query column value: PostgreSQL text cannot hold NUL (the body keeps the real value). */
export function queryText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value;
}

/**
 * The list in `rows` (the session row was found and has changed since `base`, if any). Merges when
 * `base` is of the same incarnation, not older than the last purge and not newer than the stored
 * version; else builds from every row. O(n + changed rows) plus decoding the changed rows.
 */
export function listFromRows(store: string, sessionId: string, base: RowList | null, rows: readonly ReadRow[], where: string): StoredList {
  const head = rows[0] as ReadRow;
  const version = BigInt(head.version as string);
  const incremental =
    base !== null && head.incarnation === base.version.incarnation && BigInt(head.purged as string) <= base.version.version && version >= base.version.version;
  const tasks: Task[] = [];
  const positions: number[] = [];
  const decode = (row: ReadRow): Task => decodeTaskText(row.body as string, `the task row at position ${String(row.position)} of '${where}'`);
  if (incremental) {
    const oldTasks = base.list.tasks;
    const oldPositions = base.version.positions;
    let i = 0;
    for (let r = 1; r < rows.length; r++) {
      const row = rows[r] as ReadRow;
      const at = Number(row.position);
      while (i < oldPositions.length && (oldPositions[i] as number) < at) {
        tasks.push(oldTasks[i] as Task);
        positions.push(oldPositions[i++] as number);
      }
      if (i < oldPositions.length && oldPositions[i] === at) i++;
      if (row.body !== null) {
        tasks.push(decode(row));
        positions.push(at);
      }
    }
    for (; i < oldPositions.length; i++) {
      tasks.push(oldTasks[i] as Task);
      positions.push(oldPositions[i] as number);
    }
  } else {
    for (let r = 1; r < rows.length; r++) {
      const row = rows[r] as ReadRow;
      tasks.push(decode(row));
      positions.push(Number(row.position));
    }
  }
  const list = listFromPieces(sessionId, tasks, head.body as string, `'${where}'`);
  return { list, version: { store, incarnation: head.incarnation as string, version, positions } satisfies RowVersion };
}
