/**
 * Copying sessions from one store to another (`gestura-tasks copy`): files to PostgreSQL, back,
 * or between two stores of one kind. A session's list is written exactly as read (every store
 * keeps the file store's text of each task), so file → PostgreSQL → file gives the same bytes.
 *
 * The session history goes along (README "History"): when both stores keep one, each session is
 * written with its history in the same commit (StoreHistory.importSession), sequence numbers and
 * all, so files → PostgreSQL → files gives the same entries too. A target that keeps a history gets
 * exactly the source's (none, from a source that keeps none). A target that keeps none gets the
 * list alone, and the result names the sessions whose history stayed behind.
 *
 * Existing sessions of the target are never overwritten without `force`: if any is in the way,
 * the copy is refused as a whole before anything is written, naming them all. Each session is
 * written in one commit under the target's lock, so a copy that fails midway leaves every session
 * either fully copied or untouched (the result says which).
 */
import { InvalidInputError, TaskIoError, TaskSerializationError } from '../errors.js';
import type { HistoryEntry } from '../history.js';
import { requireSessionId } from '../model/validate.js';
import type { StoredList, TaskStore } from '../store/task-store.js';

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
  /** History entries read from the source and written with the copied sessions (the target's retention may keep fewer). */
  readonly historyEntries: number;
  /**
   * Copied sessions whose history was not copied: the source has entries for them but the target
   * keeps no history (open it with the history on, as the CLI does).
   */
  readonly withoutHistory: string[];
}

/** How often a session that keeps changing while it is read is read again before giving up. */
const READ_ATTEMPTS = 5;

/**
 * The session's list and history as of one commit (null: no such session): the list, the history,
 * then the list again, until the list did not change in between (the history then belongs to it).
 */
async function readSession(source: TaskStore, id: string): Promise<{ stored: StoredList; entries: HistoryEntry[] | null } | null> {
  let stored = await source.read(id, null);
  for (let attempt = 1; stored !== null; attempt++) {
    const entries = source.history === undefined ? null : await source.history.read(id);
    const again = await source.read(id, stored);
    if (again !== null && again.list === stored.list) return { stored, entries };
    if (attempt >= READ_ATTEMPTS) throw new TaskIoError(`session '${id}' kept changing while it was read (${READ_ATTEMPTS} times); try again`);
    stored = again;
  }
  return null;
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
  const result = { copied: [] as string[], overwritten: [] as string[], refused: [] as string[], historyEntries: 0, withoutHistory: [] as string[] };
  const importSession = target.history?.importSession?.bind(target.history);
  for (const id of ids) {
    try {
      const read = await readSession(source, id);
      if (read === null) continue; // removed from the source meanwhile: nothing to copy
      const { stored, entries } = read;
      await target.withLock(id, async () => {
        const basis = await target.read(id, null);
        if (basis !== null && !force) {
          result.refused.push(id);
          return;
        }
        if (importSession !== undefined) {
          await importSession(id, stored.list.clone(), basis, entries ?? []);
          result.historyEntries += entries?.length ?? 0;
        } else {
          await target.write(id, stored.list.clone(), basis);
          if (entries !== null && entries.length > 0) result.withoutHistory.push(id);
        }
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
