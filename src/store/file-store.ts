/**
 * The file store: one JSON file per session under `<baseDir>/.gestura/tasks/`, replaced atomically
 * under a cross-process lock.
 *
 * The commit path (README "Durability" and "Locks", docs/decisions.md):
 *   lock → check the tasks directories → read if changed → (manager applies the change) →
 *   [history: append the entries, start their fsync] → encode → check the directories again →
 *   create `<session>.json.<pid>.<random>.gtmp` exclusively → write every byte → set the mtime
 *   marker → fsync (alongside the history's) → close → final check → rename → unlock.
 * The final check runs synchronously right before rename(2), with no await in between: the tasks
 * directories are still the ones checked at the start, the lock is still ours and fresh, and the
 * session file is still exactly the version this commit read (or still absent). Otherwise the
 * temporary file is removed and the commit fails with a TaskIoError, writing nothing.
 * Complexity of a commit: O(n + c·s) for n tasks of which c changed (printing a changed task of
 * size s; unchanged tasks reuse cached bytes), O(bytes) written with one vectored write, and a
 * fixed number of system calls (about 25 on Linux, lock and checks included) whatever the size.
 *
 * Change detection costs a stat. A stat signature (inode, size, mtime, ctime) is trusted only
 * once the file is older than {@link RACY_WINDOW_NS} ({@link COARSE_RACY_WINDOW_NS} where file times
 * are whole milliseconds or coarser): file times come from a coarse clock, so two
 * writes close together could share every field. Within that window the content is compared byte
 * for byte instead (a read, never a parse), as git does for "racily clean" files. The exception is
 * a file this store just wrote: its mtime marker identifies it at once (see markFile).
 */
import { isUtf8 } from 'node:buffer';
import fsSync from 'node:fs';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { TaskIoError, TaskSerializationError } from '../errors.js';
import type { TaskList } from '../model/task-list.js';
import { errorCode } from './error-code.js';
import { decodeTaskList, encodeTaskListChunks } from './codec.js';
import { phaseEnd, phaseStart } from './commit-timing.js';
import { acquireFileLock, DEFAULT_LOCK_OPTIONS, type FileLockOptions, type HeldLock } from './file-lock.js';
import { withKeyedMutex } from './keyed-mutex.js';
import { sessionFilePath, sessionIdOfFileName, tasksDirectory } from './paths.js';
import { inTasksDirectory, openedOutside, openTasksDirectory, refuseOutside, verifyTasksDirectory, type TasksDirIdentity } from './tasks-dir.js';
import { HISTORY_SEQ_KEY, importedHistory, nextSequence, requireRetention, retainHistory, sequenceOf, stampHistory, type HistoryEntry, type HistoryRecord, type HistoryRetention } from '../history.js';
import { appendHistory, historyFileOf, historyLines, readHistoryFile, rewriteHistory, scanHistoryFile, writtenHistoryState, type HistoryFileState, type HistoryFileTail } from './history-file.js';
import type { StoredList, StoreHistory, TaskStore } from './task-store.js';
import { closeFile, createTempFile, isTempFileOf, markFile, mayBeInFlight, syncFile, tempFileFor, writeFile } from './temp-file.js';

/**
 * How hard a write tries to reach the disk.
 * - `fsync` (default): the data is fsynced before the rename; after a crash the file is the old or
 *   the new version, and a commit that returned survives a crash except in the rare case where the
 *   rename itself had not reached the disk (the old version then remains).
 * - `full`: also fsyncs the directory after the rename, so a returned commit survives power loss.
 * - `none`: no fsync. Still atomic against process crashes; after power loss or an OS crash the
 *   latest commits may be lost, and the rename may reach the disk before the data, leaving an
 *   empty or partly written file on some file systems (then reported, never overwritten).
 */
export type Durability = 'fsync' | 'full' | 'none';

/** Options of a {@link FileTaskStore}. */
export interface FileTaskStoreOptions {
  /** See {@link Durability}. Default `fsync`. */
  readonly durability?: Durability;
  /** Lock timing. Default: stale after 10 s, wait at most 30 s. */
  readonly lock?: Partial<FileLockOptions>;
  /**
   * Keep a session history in `<session>.history.jsonl` (README "History"), with this retention
   * when an object. Default off.
   */
  readonly history?: boolean | HistoryRetention;
}

/**
 * How often a store looks for temporary files a killed writer left (a directory listing): on its
 * first write of a session, then at most once per this interval.
 */
export const TEMP_SWEEP_INTERVAL_MS = 60_000;

/** File times are trusted for change detection only when older than this (50 ms). */
export const RACY_WINDOW_NS = 50_000_000n;

/**
 * The window for file systems with coarse file times (FAT and exFAT keep 2 s, HFS+ and some network
 * mounts 1 s). They show up as times in whole milliseconds; on ext4, xfs, btrfs or tmpfs that
 * happens about once in a million writes, which then only costs a byte compare.
 */
export const COARSE_RACY_WINDOW_NS = 3_000_000_000n;

/** The racy window that applies to a file with these times. */
function racyWindow(s: BigIntStats): bigint {
  return s.mtimeNs % 1_000_000n === 0n ? COARSE_RACY_WINDOW_NS : RACY_WINDOW_NS;
}

interface FileVersion {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  /** Permission bits, kept by the next write. */
  readonly mode: number;
  /** The file's bytes (in pieces) while its stat is not yet trusted; null once trusted. */
  readonly content: readonly Buffer[] | null;
}

/** A version no file has: the next read parses whatever is there. */
const UNKNOWN_VERSION: FileVersion = { dev: -1n, ino: -1n, size: -1n, mtimeNs: -1n, ctimeNs: -1n, mode: 0o666, content: [] };

function sameStat(v: FileVersion, s: BigIntStats): boolean {
  return v.ino === s.ino && v.dev === s.dev && v.size === s.size && v.mtimeNs === s.mtimeNs && v.ctimeNs === s.ctimeNs;
}

/** True when `bytes` is exactly the concatenation of `chunks`. O(size), no copy. */
function sameContent(chunks: readonly Buffer[], bytes: Buffer): boolean {
  let at = 0;
  for (const chunk of chunks) {
    if (at + chunk.length > bytes.length || !chunk.equals(bytes.subarray(at, at + chunk.length))) return false;
    at += chunk.length;
  }
  return at === bytes.length;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** The version of a file stat'ed at `takenAt`; `marked`: its mtime is our own marker (trusted at once). */
function makeVersion(s: BigIntStats, content: readonly Buffer[], takenAt: bigint, marked = false): FileVersion {
  const window = racyWindow(s);
  const trusted = marked || (takenAt - s.mtimeNs > window && takenAt - s.ctimeNs > window);
  return {
    dev: s.dev,
    ino: s.ino,
    size: s.size,
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
    mode: Number(s.mode & 0o7777n),
    content: trusted ? null : content,
  };
}

function ioError(action: string, file: string, error: unknown): TaskIoError {
  const reason = error instanceof Error ? error.message : String(error);
  return new TaskIoError(`cannot ${action} '${file}': ${reason}`, { cause: error, path: file });
}

/**
 * The text of a session file. Bytes that are not UTF-8 are a Serialization error (as in Rust's
 * `read_to_string`), never silently replaced by U+FFFD: that would lose them on the next write.
 */
function utf8Text(bytes: Buffer, file: string): string {
  if (!isUtf8(bytes)) throw new TaskSerializationError(`cannot read task file '${file}': it is not valid UTF-8`, { path: file });
  return bytes.toString('utf8');
}

function checkRegularFile(file: string, stat: BigIntStats): void {
  if (stat.isSymbolicLink()) throw new TaskIoError(`refusing to follow the symbolic link '${file}'`, { path: file });
  if (stat.isDirectory()) throw new TaskIoError(`cannot read '${file}': it is a directory`, { path: file });
  if (!stat.isFile()) throw new TaskIoError(`cannot read '${file}': it is not a regular file`, { path: file });
}

/** lstat without following a link; undefined when absent. */
function lstatOrAbsent(file: string): BigIntStats | undefined {
  return fsSync.lstatSync(file, { bigint: true, throwIfNoEntry: false });
}

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fsSync.constants;

/** Session files up to this size (1 MiB, about 2,000 tasks) are read synchronously. */
const SYNC_READ_LIMIT = 1 << 20;

/** The whole content of the regular file open at `fd` (from its start), read through the thread pool. */
function readDescriptor(fd: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fsSync.readFile(fd, (error, bytes) => (error ? reject(error) : resolve(bytes)));
  });
}
const DEFAULT_FILE_MODE = 0o666;

/** A history write with nothing left to wait for. */
const NO_ERROR: Promise<TaskIoError | null> = Promise.resolve(null);

/** A lock this store holds, with the tasks directory it checked when taking it. */
interface Held {
  readonly lock: HeldLock;
  readonly directory: TasksDirIdentity;
}

/** Task lists as JSON files under `<baseDir>/.gestura/tasks/`. */
export class FileTaskStore implements TaskStore {
  /** The directory the session files live in. */
  readonly directory: string;
  readonly #baseDir: string;
  readonly #durability: Durability;
  readonly #lock: FileLockOptions;
  /** When this store last swept each session's leftover temporary files (ms since the epoch). */
  readonly #swept = new Map<string, number>();
  /** Session id → file path, for ids already checked (bounded). */
  readonly #paths = new Map<string, string>();
  /** Locks this store holds now, by file. */
  readonly #held = new Map<string, Held>();
  /** The history retention, null when this store keeps no history. */
  readonly #retention: HistoryRetention | null;
  /** The last read of each history file (by session file), read on from there under the lock. */
  readonly #historyFiles = new Map<string, HistoryFileState>();
  /** The end of each history file this store appended to without reading it, by session file. */
  readonly #historyTails = new Map<string, HistoryFileTail>();
  /** The session list each history read last saw, by session file. */
  readonly #historyBasis = new Map<string, StoredList>();
  readonly history?: StoreHistory;

  constructor(baseDir: string, options: FileTaskStoreOptions = {}) {
    this.#baseDir = path.resolve(baseDir);
    this.directory = tasksDirectory(this.#baseDir);
    this.#durability = options.durability ?? 'fsync';
    this.#lock = { ...DEFAULT_LOCK_OPTIONS, ...options.lock };
    this.#retention = options.history === undefined || options.history === false ? null : requireRetention(options.history);
    if (this.#retention !== null) {
      this.history = {
        read: (sessionId) => this.#readHistory(sessionId),
        importSession: (sessionId, list, basis, entries) => this.#importSession(sessionId, list, basis, entries),
      };
    }
  }

  /**
   * StoreHistory.importSession on files. The history file can only be rewritten while the session
   * file names a sequence that none of the old or new entries can be taken for, so over an existing
   * session this takes three steps under the lock: the new list with `history_seq` 0 (every entry
   * there is beyond it: the list has no history yet), the history file rewritten with exactly the
   * kept entries, the new list with its own sequence. A new session needs the last two only (no
   * session file: no history). A crash in between leaves the old session as it was, or the new list
   * with no history, never entries that belong to another list. O(list + entries).
   */
  async #importSession(sessionId: string, list: TaskList, basis: StoredList | null, entries: readonly HistoryEntry[]): Promise<StoredList> {
    const file = this.locate(sessionId);
    const held = this.#held.get(file);
    if (held === undefined) throw new TaskIoError(`cannot write '${file}' without holding its lock`, { path: file });
    const kept = importedHistory(entries, sequenceOf(list.extraValue(HISTORY_SEQ_KEY)), this.#retention as HistoryRetention, Date.now());
    let current = basis;
    if (basis !== null) {
      const interim = list.clone();
      interim.setExtra(HISTORY_SEQ_KEY, 0);
      current = await this.write(sessionId, interim, basis);
    }
    verifyTasksDirectory(this.#baseDir, held.directory);
    held.lock.verify();
    const historyFile = historyFileOf(file);
    this.#historyTails.delete(file);
    this.#historyFiles.delete(file);
    let exists: boolean;
    try {
      exists = lstatOrAbsent(historyFile) !== undefined;
    } catch (error) {
      throw ioError('check', historyFile, error);
    }
    if (exists || kept.length > 0) {
      const bytes = historyLines(kept);
      const id = rewriteHistory(this.#baseDir, historyFile, bytes, this.#durability !== 'none');
      this.#rememberHistoryFile(file, writtenHistoryState(id, bytes.length, null, kept));
    }
    return this.write(sessionId, list, current);
  }

  /**
   * The entries of commits that landed: the session's sequence is read first, then the history
   * file, and entries beyond that sequence (a commit that never landed, or one landing right now)
   * are left out. Without a session file there is no history. O(history file + session file).
   */
  async #readHistory(sessionId: string): Promise<HistoryEntry[]> {
    const file = this.locate(sessionId);
    // Both reads reuse what this store read last: a stat for an unchanged session file, only the
    // new bytes of a history file that grew.
    let stored = await this.read(sessionId, this.#historyBasis.get(file) ?? null);
    for (let attempt = 1; ; attempt++) {
      if (stored === null) return [];
      if (this.#historyBasis.size >= 256 && !this.#historyBasis.has(file)) this.#historyBasis.clear();
      this.#historyBasis.set(file, stored);
      const seq = sequenceOf(stored.list.extraValue(HISTORY_SEQ_KEY));
      const state = readHistoryFile(this.#baseDir, historyFileOf(file), this.#historyFiles.get(file) ?? null);
      this.#rememberHistoryFile(file, state);
      // A commit appends beyond the sequence read, which the filter leaves out; an import (a copy)
      // rewrites the file below it: the session file read again (a stat) tells which list the
      // entries belong to.
      const again = await this.read(sessionId, stored);
      if (again?.list !== stored.list && attempt < 5) {
        stored = again;
        continue;
      }
      const { entries } = state;
      const landed = seq === null ? entries : entries.filter((e) => e.seq <= seq);
      return retainHistory(landed, this.#retention as HistoryRetention, Date.now());
    }
  }

  /**
   * Writes this commit's history entries (README "History"), before the session file is replaced:
   * appended and fsynced when the file holds only landed entries, else (entries of a commit that
   * never landed, a line a crash cut short, or past the retention) rewritten atomically with the
   * landed entries the retention keeps plus the new ones. Sets the commit's sequence on `list`.
   * Caller holds the lock. An append's fsync is left running: the returned promise settles when the
   * entries are durable (null) or could not be made so (the error), and never rejects; the caller
   * writes the session's temporary file meanwhile and awaits both before its rename (the two
   * fsyncs then overlap instead of adding up; their order does not matter, only that both come
   * before the rename). O(new entries), plus O(history bytes) without parsing when another
   * process wrote since, O(history) when rewriting.
   */
  #writeHistory(file: string, list: TaskList, basis: StoredList | null, records: readonly HistoryRecord[], retention: HistoryRetention): Promise<TaskIoError | null> {
    const historyFile = historyFileOf(file);
    const basisSeq = basis === null ? 0 : sequenceOf(basis.list.extraValue(HISTORY_SEQ_KEY));
    const max = retention.maxEntries ?? Number.MAX_SAFE_INTEGER;
    const slack = Math.max(16, Math.floor(max / 4));
    const sync = this.#durability !== 'none';
    const known = this.#historyFiles.get(file) ?? null;
    if (known === null) {
      // A file this store has not read (a CLI call's commit, a writer that never reads history):
      // its end and last entry are enough to append, found without parsing the rest (or taken
      // from this store's own last append when the file is still exactly that). Entries are in
      // sequence order, so only the last can be beyond the session's. Anything else (entries of a
      // commit that never landed, a cut line, compaction due) takes the full path below.
      const mine = this.#historyTails.get(file);
      const now = lstatOrAbsent(historyFile);
      const same = mine !== undefined && now !== undefined && now.dev === mine.dev && now.ino === mine.ino && Number(now.size) === mine.size;
      const tail = same ? mine : scanHistoryFile(this.#baseDir, historyFile);
      const clean = tail.validBytes === tail.size && (basisSeq === null || tail.lastSeq === null || tail.lastSeq <= basisSeq);
      if (clean && tail.lines + records.length <= max + slack) {
        const seq = nextSequence(basisSeq, tail.lastSeq);
        list.setExtra(HISTORY_SEQ_KEY, seq);
        const bytes = historyLines(stampHistory(records, seq));
        const { dev, ino, synced } = appendHistory(this.#baseDir, historyFile, bytes, tail.size, sync);
        const size = tail.size + bytes.length;
        if (this.#historyTails.size >= 256 && !this.#historyTails.has(file)) this.#historyTails.clear();
        this.#historyTails.set(file, { dev, ino, size, validBytes: size, lines: tail.lines + records.length, lastSeq: records.length > 0 ? seq : tail.lastSeq });
        return synced;
      }
    }
    this.#historyTails.delete(file);
    const state = readHistoryFile(this.#baseDir, historyFile, known);
    const landed = basisSeq === null ? state.entries : state.entries.filter((e) => e.seq <= basisSeq);
    const seq = nextSequence(basisSeq, landed.at(-1)?.seq ?? null);
    const added = stampHistory(records, seq);
    list.setExtra(HISTORY_SEQ_KEY, seq);
    const overdue = landed.length + added.length > max + slack;
    if (landed.length === state.entries.length && state.validBytes === state.size && !overdue) {
      const bytes = historyLines(added);
      const { dev, ino, synced } = appendHistory(this.#baseDir, historyFile, bytes, state.size, sync);
      const size = state.size + bytes.length;
      this.#rememberHistoryFile(file, writtenHistoryState({ dev, ino }, size, state, added));
      return synced;
    }
    const kept = retainHistory(landed.concat(added), retention, Date.now());
    const bytes = historyLines(kept);
    this.#historyFiles.delete(file);
    const id = rewriteHistory(this.#baseDir, historyFile, bytes, sync);
    this.#rememberHistoryFile(file, writtenHistoryState(id, bytes.length, null, kept));
    return NO_ERROR; // a rewrite (rare: compaction, cleanup) is durable and renamed already
  }

  /** Keeps what was read of a history file (for at most 256 sessions: they can be large). */
  #rememberHistoryFile(file: string, state: HistoryFileState): void {
    if (this.#historyFiles.size >= 256 && !this.#historyFiles.has(file)) this.#historyFiles.clear();
    this.#historyFiles.set(file, state);
  }

  locate(sessionId: string): string {
    let file = this.#paths.get(sessionId);
    if (file === undefined) {
      file = sessionFilePath(this.#baseDir, sessionId);
      if (this.#paths.size >= 4096) this.#paths.clear();
      this.#paths.set(sessionId, file);
    }
    return file;
  }

  async read(sessionId: string, known: StoredList | null): Promise<StoredList | null> {
    const file = this.locate(sessionId);
    if (openTasksDirectory(this.#baseDir, false) === null) return null;
    let stat: BigIntStats | undefined;
    try {
      stat = lstatOrAbsent(file);
    } catch (error) {
      throw ioError('read', file, error);
    }
    if (stat === undefined) return null;
    checkRegularFile(file, stat);
    const knownVersion = known?.version as FileVersion | undefined;
    if (known && knownVersion && knownVersion.content === null && sameStat(knownVersion, stat)) return known;
    const snapshot = await this.#readSnapshot(file);
    if (snapshot === null) return null;
    const { stat: fileStat, bytes, takenAt } = snapshot;
    if (known && knownVersion && knownVersion.content !== null && sameStat(knownVersion, fileStat) && sameContent(knownVersion.content, bytes)) {
      return { list: known.list, version: makeVersion(fileStat, [bytes], takenAt) };
    }
    return { list: decodeTaskList(utf8Text(bytes, file), file), version: makeVersion(fileStat, [bytes], takenAt) };
  }

  /**
   * Reads the file through one descriptor so the stat and the bytes belong to the same inode.
   * Opened without following a link and without blocking (a FIFO swapped in never hangs the read),
   * then checked to be inside the real tasks directory (not reached through a link swapped in above
   * it) and to be a regular file before anything is read from it. The open and stat are metadata
   * calls of microseconds, made synchronously; a file up to {@link SYNC_READ_LIMIT} is read
   * synchronously too (less than a thread-pool round trip), a larger one through the pool.
   */
  async #readSnapshot(file: string): Promise<{ stat: BigIntStats; bytes: Buffer; takenAt: bigint } | null> {
    let fd: number;
    try {
      fd = fsSync.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      if (errorCode(error) === 'ELOOP') throw new TaskIoError(`refusing to follow the symbolic link '${file}'`, { cause: error, path: file });
      throw ioError('read', file, error);
    }
    try {
      const outside = openedOutside(fd, this.#baseDir, path.basename(file));
      if (outside !== null) throw refuseOutside(file, outside);
      const stat = fsSync.fstatSync(fd, { bigint: true });
      checkRegularFile(file, stat);
      const bytes = stat.size <= BigInt(SYNC_READ_LIMIT) ? fsSync.readFileSync(fd) : await readDescriptor(fd);
      return { stat, bytes, takenAt: nowNs() };
    } catch (error) {
      if (error instanceof TaskIoError) throw error;
      throw ioError('read', file, error);
    } finally {
      try {
        fsSync.closeSync(fd);
      } catch {
        // Nothing was changed through it.
      }
    }
  }

  async withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const file = this.locate(sessionId);
    const deadline = Date.now() + this.#lock.timeoutMs;
    // One in-process key per session file on disk, however the base directory is spelled (a link,
    // `..`): a call through another spelling inside a batch is caught as re-entrant too.
    const directory = openTasksDirectory(this.#baseDir, true) as TasksDirIdentity;
    const key = `${directory.tasksDev}:${directory.tasksIno}/${path.basename(file)}`;
    // True until withKeyedMutex returns: the callback then runs in the same synchronous step as the
    // check above (no other call could wait before it), which needs no repeating.
    let sameStep = true;
    const run = withKeyedMutex(key, async () => {
      const t0 = phaseStart();
      if (!sameStep) verifyTasksDirectory(this.#baseDir, directory); // unchanged while this call waited for its turn
      const lock = await acquireFileLock(file, this.#lock, deadline, { dev: directory.tasksDev, ino: directory.tasksIno });
      this.#held.set(file, { lock, directory });
      phaseEnd('lock', t0);
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        this.#held.delete(file);
        await lock.release().catch(() => undefined);
        throw error;
      }
      this.#held.delete(file);
      const t1 = phaseStart();
      await lock.release();
      phaseEnd('unlock', t1);
      return result;
    }, this.#lock.timeoutMs, file);
    sameStep = false;
    return run;
  }

  async write(sessionId: string, list: TaskList, basis: StoredList | null, history?: readonly HistoryRecord[]): Promise<StoredList> {
    const file = this.locate(sessionId);
    const held = this.#held.get(file);
    if (held === undefined) throw new TaskIoError(`cannot write '${file}' without holding its lock`, { path: file });
    const basisVersion = (basis?.version ?? null) as FileVersion | null;
    // Settles when this commit's history entries are durable; awaited before the rename.
    let historySynced = NO_ERROR;
    if (this.#retention !== null && history !== undefined) {
      // Before the session file is even encoded (it carries the sequence): a crash from here to
      // the rename leaves entries beyond the session's sequence, which readers ignore.
      verifyTasksDirectory(this.#baseDir, held.directory);
      held.lock.verify();
      historySynced = this.#writeHistory(file, list, basis, history, this.#retention);
    }
    try {
      return await this.#writeSession(file, list, held, basisVersion, historySynced);
    } catch (error) {
      // Nothing may leave while the history's fsync still runs on a descriptor it closes itself;
      // and what this store remembers of the history file is no longer known to be on disk.
      await historySynced;
      this.#historyTails.delete(file);
      this.#historyFiles.delete(file);
      throw error;
    }
  }

  /**
   * Writes the session file (see the module comment): temporary file, fsync, final check, rename.
   * `historySynced` (the history append's fsync, running alongside) must succeed before the rename.
   */
  async #writeSession(file: string, list: TaskList, held: Held, basisVersion: FileVersion | null, historySynced: Promise<TaskIoError | null>): Promise<StoredList> {
    const t0 = phaseStart();
    let encoded: { chunks: Buffer[]; length: number };
    try {
      encoded = encodeTaskListChunks(list);
    } catch (error) {
      throw new TaskSerializationError(`cannot write task file '${file}': ${(error as Error).message}`, { cause: error, path: file });
    }
    phaseEnd('encode', t0);
    // The directories again (the callback ran since the lock was taken): the temporary file is
    // created right after this check.
    verifyTasksDirectory(this.#baseDir, held.directory);
    await this.#sweepTempFiles(file, held);

    const temp = tempFileFor(file);
    const t1 = phaseStart();
    let fd: number;
    try {
      fd = createTempFile(temp, basisVersion?.mode ?? DEFAULT_FILE_MODE);
    } catch (error) {
      throw ioError('create the temporary file', temp, error);
    }
    const outside = openedOutside(fd, this.#baseDir, path.basename(temp));
    if (outside !== null) {
      // created through a link swapped in above the tasks directory: remove exactly that file
      try {
        closeFile(fd);
        fsSync.unlinkSync(outside);
      } catch {
        // already failing
      }
      throw refuseOutside(file, outside);
    }
    let open = true;
    let renamed = false;
    try {
      await writeFile(fd, encoded.chunks, encoded.length);
      const marked = markFile(fd);
      const written = marked ?? fsSync.fstatSync(fd, { bigint: true });
      phaseEnd('write', t1);
      const t2 = phaseStart();
      // The session file's fsync and the history's run at the same time; both before the rename.
      const [, historyError] = await Promise.all([this.#durability !== 'none' ? syncFile(fd) : undefined, historySynced]);
      if (historyError !== null) throw historyError;
      phaseEnd('fsync', t2);
      open = false;
      closeFile(fd);

      // The final check and the rename: synchronous, nothing else runs in between.
      const t3 = phaseStart();
      this.#verifyCommit(file, held, basisVersion);
      phaseEnd('verify', t3);
      const t4 = phaseStart();
      fsSync.renameSync(temp, file);
      renamed = true;
      const after = lstatOrAbsent(file);
      phaseEnd('rename', t4);
      if (this.#durability === 'full') await this.#syncDirectory();
      // The version is the file we wrote only if the path still holds our inode (a process that
      // took the lock could have replaced it since the rename); otherwise nothing is remembered
      // and the next read parses whatever is there. With our mtime marker intact it is trusted
      // at once (see markFile), else it goes through the racy window like any other.
      if (after === undefined || after.ino !== written.ino || after.dev !== written.dev) return { list, version: UNKNOWN_VERSION };
      const markedNow = marked !== null && after.mtimeNs === marked.mtimeNs;
      return { list, version: makeVersion(after, encoded.chunks, nowNs(), markedNow) };
    } catch (error) {
      if (open) {
        try {
          closeFile(fd);
        } catch {
          // already failing
        }
      }
      if (!renamed) {
        try {
          fsSync.unlinkSync(temp);
        } catch {
          // Already gone, or it cannot be removed: the sweep takes it later.
        }
      }
      if (error instanceof TaskIoError) throw error;
      throw ioError('write', file, error);
    }
  }

  /**
   * Throws a TaskIoError unless the commit may still replace `file`: the tasks directory is the
   * one checked when the lock was taken, the lock is still ours and fresh, and the file is the
   * version this commit read (`basis`), or still absent. O(1): four lstat calls.
   */
  #verifyCommit(file: string, held: Held, basis: FileVersion | null): void {
    verifyTasksDirectory(this.#baseDir, held.directory);
    held.lock.verify();
    let now: BigIntStats | undefined;
    try {
      now = lstatOrAbsent(file);
    } catch (error) {
      throw ioError('check', file, error);
    }
    if (basis === null) {
      if (now !== undefined) {
        throw new TaskIoError(`'${file}' was created by someone else during this commit; nothing was written`, { path: file });
      }
      return;
    }
    if (now === undefined || now.isSymbolicLink() || !now.isFile() || !sameStat(basis, now)) {
      throw new TaskIoError(`'${file}' changed during this commit; nothing was written`, { path: file });
    }
  }

  async #syncDirectory(): Promise<void> {
    // Loaded here, not with the store: only `full` durability needs it, and loading it costs a
    // short CLI call ~1 ms.
    const fs = await import('node:fs/promises');
    const handle = await fs.open(this.directory, O_RDONLY | O_NOFOLLOW);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /**
   * Removes temporary files a killed writer left for `file` (on the store's first write of the
   * session, then at most every {@link TEMP_SWEEP_INTERVAL_MS}; the caller holds the lock, so no
   * live writer of this session owns one). Only names of this library's own form are touched, and
   * only those whose writer process is gone.
   */
  async #sweepTempFiles(file: string, held: Held): Promise<void> {
    const now = Date.now();
    const last = this.#swept.get(file);
    if (last !== undefined && now - last < TEMP_SWEEP_INTERVAL_MS) return;
    held.lock.verify(); // a writer that lost its lock must not delete the new holder's file
    this.#swept.set(file, now);
    // Listed and removed through a checked descriptor of the tasks directory (never through a link
    // swapped in above it); synchronous: a listing and, rarely, an unlink or two.
    try {
      inTasksDirectory(this.#baseDir, (dir) => {
        for (const n of fsSync.readdirSync(dir)) {
          const of = isTempFileOf(file, n) ? file : isTempFileOf(historyFileOf(file), n) ? historyFileOf(file) : null;
          if (of === null || mayBeInFlight(of, n)) continue;
          try {
            fsSync.unlinkSync(path.join(dir, n));
          } catch {
            // gone meanwhile, or not ours to remove: left alone
          }
        }
      });
    } catch {
      // the sweep is housekeeping: the commit's own checks decide whether it may go on
    }
  }

  async listSessions(): Promise<string[]> {
    if (openTasksDirectory(this.#baseDir, false) === null) return [];
    let names: string[];
    try {
      names = inTasksDirectory(this.#baseDir, (dir) => fsSync.readdirSync(dir));
    } catch (error) {
      if (error instanceof TaskIoError) throw error;
      if (errorCode(error) === 'ENOENT') return [];
      throw ioError('list', this.directory, error);
    }
    return names
      .map((n) => sessionIdOfFileName(n))
      .filter((id): id is string => id !== null)
      .sort();
  }
}
