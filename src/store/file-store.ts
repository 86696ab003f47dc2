/**
 * The file store: one JSON file per session under `<baseDir>/.gestura/tasks/`, written atomically
 * (write-file-atomic: temporary file, fsync, rename) under a cross-process lock.
 *
 * Change detection costs a stat. A stat signature (inode, size, mtime, ctime) is trusted only
 * once the file is older than {@link RACY_WINDOW_NS} ({@link COARSE_RACY_WINDOW_NS} where file times
 * are whole milliseconds or coarser): file times come from a coarse clock, so two
 * writes close together could share every field. Within that window the content is compared byte
 * for byte instead (a read, never a parse), as git does for "racily clean" files.
 */
import { isUtf8 } from 'node:buffer';
import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { TaskIoError, TaskSerializationError } from '../errors.js';
import type { TaskList } from '../model/task-list.js';
import { errorCode } from './error-code.js';
import { decodeTaskList, encodeTaskListBytes } from './codec.js';
import { acquireFileLock, DEFAULT_LOCK_OPTIONS, type FileLockOptions, type HeldLock } from './file-lock.js';
import { withKeyedMutex } from './keyed-mutex.js';
import { phaseEnd, phaseStart } from './commit-timing.js';
import { isTempFileOf, sessionFilePath, sessionIdOfFileName, tasksDirectory } from './paths.js';
import type { StoredList, TaskStore } from './task-store.js';

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
  /** The file's bytes while its stat is not yet trusted; null once trusted. */
  readonly bytes: Buffer | null;
}

function sameStat(v: FileVersion, s: BigIntStats): boolean {
  return v.ino === s.ino && v.dev === s.dev && v.size === s.size && v.mtimeNs === s.mtimeNs && v.ctimeNs === s.ctimeNs;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function makeVersion(s: BigIntStats, bytes: Buffer, takenAt: bigint): FileVersion {
  const window = racyWindow(s);
  const trusted = takenAt - s.mtimeNs > window && takenAt - s.ctimeNs > window;
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, bytes: trusted ? null : bytes };
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
  readonly #held = new Map<string, HeldLock>();

  constructor(baseDir: string, options: FileTaskStoreOptions = {}) {
    this.#baseDir = path.resolve(baseDir);
    this.directory = tasksDirectory(this.#baseDir);
    this.#durability = options.durability ?? 'fsync';
    this.#lock = { ...DEFAULT_LOCK_OPTIONS, ...options.lock };
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
    let stat: BigIntStats;
    try {
      stat = await fs.lstat(file, { bigint: true });
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw ioError('read', file, error);
    }
    this.#checkRegularFile(file, stat);
    const knownVersion = known?.version as FileVersion | undefined;
    if (known && knownVersion && knownVersion.bytes === null && sameStat(knownVersion, stat)) return known;
    const snapshot = await this.#readSnapshot(file);
    if (snapshot === null) return null;
    const { stat: fileStat, bytes, takenAt } = snapshot;
    if (known && knownVersion && knownVersion.bytes !== null && sameStat(knownVersion, fileStat) && knownVersion.bytes.equals(bytes)) {
      return { list: known.list, version: makeVersion(fileStat, bytes, takenAt) };
    }
    return { list: decodeTaskList(utf8Text(bytes, file), file), version: makeVersion(fileStat, bytes, takenAt) };
  }

  /** Reads the file through one descriptor so the stat and the bytes belong to the same inode. */
  async #readSnapshot(file: string): Promise<{ stat: BigIntStats; bytes: Buffer; takenAt: bigint } | null> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      if (errorCode(error) === 'ELOOP') throw new TaskIoError(`refusing to follow the symbolic link '${file}'`, { cause: error, path: file });
      throw ioError('read', file, error);
    }
    try {
      const stat = await handle.stat({ bigint: true });
      this.#checkRegularFile(file, stat);
      const bytes = await handle.readFile();
      return { stat, bytes, takenAt: nowNs() };
    } catch (error) {
      if (error instanceof TaskIoError) throw error;
      throw ioError('read', file, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  #checkRegularFile(file: string, stat: BigIntStats): void {
    if (stat.isSymbolicLink()) throw new TaskIoError(`refusing to follow the symbolic link '${file}'`, { path: file });
    if (stat.isDirectory()) throw new TaskIoError(`cannot read '${file}': it is a directory`, { path: file });
    if (!stat.isFile()) throw new TaskIoError(`cannot read '${file}': it is not a regular file`, { path: file });
  }

  async withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const file = this.locate(sessionId);
    return withKeyedMutex(file, async () => {
      const t0 = phaseStart();
      try {
        await fs.mkdir(this.directory, { recursive: true });
      } catch (error) {
        throw ioError('create the directory', this.directory, error);
      }
      const lock = await acquireFileLock(file, this.#lock);
      this.#held.set(file, lock);
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
    });
  }

  async write(sessionId: string, list: TaskList): Promise<StoredList> {
    const file = this.locate(sessionId);
    const lock = this.#held.get(file);
    if (lock === undefined) throw new TaskIoError(`cannot write '${file}' without holding its lock`, { path: file });
    if (lock.compromised !== null) {
      throw new TaskIoError(`lost the lock of '${file}' before writing: ${lock.compromised.message}`, { path: file, cause: lock.compromised });
    }
    let bytes: Buffer;
    const t0 = phaseStart();
    try {
      bytes = encodeTaskListBytes(list);
    } catch (error) {
      throw new TaskSerializationError(`cannot write task file '${file}': ${(error as Error).message}`, { cause: error, path: file });
    }
    phaseEnd('encode', t0);
    await this.#sweepTempFiles(file);
    try {
      const t1 = phaseStart();
      const existing = await fs.lstat(file).catch(() => null);
      if (existing?.isSymbolicLink()) throw new TaskIoError(`refusing to write through the symbolic link '${file}'`, { path: file });
      if (existing?.isDirectory()) throw new TaskIoError(`cannot write '${file}': it is a directory`, { path: file });
      await writeFileAtomic(file, bytes, { fsync: this.#durability !== 'none' });
      if (this.#durability === 'full') await this.#syncDirectory();
      phaseEnd('write', t1);
      const t2 = phaseStart();
      const stat = await fs.stat(file, { bigint: true });
      phaseEnd('verify', t2);
      return { list, version: makeVersion(stat, bytes, nowNs()) };
    } catch (error) {
      if (error instanceof TaskIoError) throw error;
      throw ioError('write', file, error);
    }
  }

  async #syncDirectory(): Promise<void> {
    const handle = await fs.open(this.directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /**
   * Removes temporary files a killed writer left for `file` (on the store's first write of the
   * session, then at most every {@link TEMP_SWEEP_INTERVAL_MS}; the caller holds the lock, so no
   * live writer of this session owns one).
   */
  async #sweepTempFiles(file: string): Promise<void> {
    const now = Date.now();
    const last = this.#swept.get(file);
    if (last !== undefined && now - last < TEMP_SWEEP_INTERVAL_MS) return;
    this.#swept.set(file, now);
    const names = await fs.readdir(this.directory).catch(() => [] as string[]);
    await Promise.all(
      names.filter((n) => isTempFileOf(file, n)).map((n) => fs.unlink(path.join(this.directory, n)).catch(() => undefined)),
    );
  }

  async listSessions(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.directory);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw ioError('list', this.directory, error);
    }
    return names
      .map((n) => sessionIdOfFileName(n))
      .filter((id): id is string => id !== null)
      .sort();
  }
}
