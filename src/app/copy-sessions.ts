/**
 * Copying sessions from one store to another (`gestura-tasks copy`): files to PostgreSQL, back,
 * or between two stores of one kind. A session's list is written exactly as read (every store
 * keeps the file store's text of each task), so file → PostgreSQL → file gives the same bytes.
 *
 * Existing sessions of the target are never overwritten without `force`: if any is in the way,
 * the copy is refused as a whole before anything is written, naming them all. Each session is
 * written in one commit under the target's lock, so a copy that fails midway leaves every session
 * either fully copied or untouched (the result says which).
 */
import { InvalidInputError, TaskIoError, TaskSerializationError } from '../errors.js';
import { requireSessionId } from '../model/validate.js';
import type { TaskStore } from '../store/task-store.js';

/** Options of {@link copySessions}. */
export interface CopyOptions {
  /** Only these sessions (default: every session of the source). Each must exist in the source. */
  readonly sessions?: readonly string[];
  /** Overwrite sessions that already exist in the target. Default false. */
  readonly force?: boolean;
}

/** What {@link copySessions} did. */
export interface CopyResult {
  /** Sessions written to the target, in order. */
  readonly copied: string[];
  /** Of those, the ones that existed in the target before (only with `force`). */
  readonly overwritten: string[];
  /**
   * Sessions not written because one appeared in the target after the check (another writer):
   * they are left as that writer made them.
   */
  readonly refused: string[];
}

/**
 * Copies sessions of `source` into `target` (see the module comment). `where` names the stores in
 * messages. InvalidInput when a requested session is not in the source, or when sessions would be
 * overwritten without `force` (the message names every one; nothing is written then). O(sessions ×
 * their size).
 */
export async function copySessions(source: TaskStore, target: TaskStore, options: CopyOptions = {}, where = { from: 'the source', to: 'the target' }): Promise<CopyResult> {
  const force = options.force === true;
  const available = await source.listSessions();
  let ids: string[];
  if (options.sessions === undefined) {
    ids = available;
  } else {
    ids = [...new Set(options.sessions.map((s) => requireSessionId(s)))];
    const present = new Set(available);
    const missing = ids.filter((id) => !present.has(id));
    if (missing.length > 0) throw new InvalidInputError(`no session ${missing.map((m) => `'${m}'`).join(', ')} in ${where.from}`);
  }
  // One listing, not a read per session (a read would fetch a whole list just to see it is there).
  const inTarget = new Set(await target.listSessions());
  const inTheWay = ids.filter((id) => inTarget.has(id));
  if (inTheWay.length > 0 && !force) {
    throw new InvalidInputError(
      `refusing to overwrite ${inTheWay.length === 1 ? 'session' : 'sessions'} ${inTheWay.map((m) => `'${m}'`).join(', ')} ` +
        `already in ${where.to}; nothing was copied (add --force to overwrite)`,
    );
  }
  const result: CopyResult = { copied: [], overwritten: [], refused: [] };
  for (const id of ids) {
    try {
      const stored = await source.read(id, null);
      if (stored === null) continue; // removed from the source meanwhile: nothing to copy
      await target.withLock(id, async () => {
        const basis = await target.read(id, null);
        if (basis !== null && !force) {
          result.refused.push(id);
          return;
        }
        await target.write(id, stored.list.clone(), basis);
        result.copied.push(id);
        if (basis !== null) result.overwritten.push(id);
      });
    } catch (error) {
      const done = result.copied.length === 0 ? 'nothing was copied' : `copied before it: ${result.copied.map((c) => `'${c}'`).join(', ')}`;
      const message = `copy stopped at session '${id}', which is unchanged in ${where.to} (${done}): ${error instanceof Error ? error.message : String(error)}`;
      // A session that cannot be read keeps its kind of error; anything else is an I/O failure.
      if (error instanceof TaskSerializationError) throw new TaskSerializationError(message, { cause: error, path: error.path });
      throw new TaskIoError(message, { cause: error });
    }
  }
  return result;
}
