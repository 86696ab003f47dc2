/**
 * The history file of a session: `<session>.history.jsonl` next to the session file, one JSON
 * entry per line, each stamped with the sequence of its commit (README "History",
 * docs/decisions.md). The session file names the sequence of its last commit in a top-level key;
 * entries beyond it are from a commit that never landed (a crash between the history write and the
 * session rename) and are ignored, then dropped by the next commit's rewrite.
 *
 * Safety as for session files: opened without following links and without blocking, checked to be a
 * regular file inside the real tasks directory; rewrites go through an exclusive temporary file that
 * is fsynced and renamed. Callers hold the session lock for every write.
 */
import fsSync from 'node:fs';
import path from 'node:path';
import { TaskIoError } from '../errors.js';
import type { HistoryEntry } from '../history.js';
import { isJsonObject } from '../model/metadata-records.js';
import { errorCode } from './error-code.js';
import { openedOutside, refuseOutside } from './tasks-dir.js';
import { closeFile, createTempFile, tempFileFor } from './temp-file.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = fsSync.constants;

/** The history file of session file `sessionFile`. */
export function historyFileOf(sessionFile: string): string {
  return `${sessionFile.slice(0, -'.json'.length)}.history.jsonl`;
}

/** What a read of a history file found. */
export interface HistoryFileState {
  /** Device and inode of the file read (0n when there was none). */
  readonly dev: bigint;
  readonly ino: bigint;
  /** Bytes of the file up to its last complete line. */
  readonly validBytes: number;
  /** The file's size when read. */
  readonly size: number;
  /** Its entries, in file order (oldest first). */
  readonly entries: HistoryEntry[];
  /**
   * Its first and last complete lines (empty: none). A later read reads on from this state only if
   * they are still there: the same inode number and a larger size are not enough, since a file
   * rewritten since (a compaction, an import) may get the number of the one it replaced.
   */
  readonly firstLine: Buffer;
  readonly lastLine: Buffer;
}

/** The first and last complete lines of `bytes` (complete up to `validBytes`). O(one line). */
function edgeLines(bytes: Buffer, validBytes: number): { firstLine: Buffer; lastLine: Buffer } {
  if (validBytes === 0) return { firstLine: Buffer.alloc(0), lastLine: Buffer.alloc(0) };
  const firstEnd = bytes.indexOf(0x0a) + 1;
  const lastStart = validBytes < 2 ? 0 : bytes.lastIndexOf(0x0a, validBytes - 2) + 1;
  return { firstLine: Buffer.from(bytes.subarray(0, firstEnd)), lastLine: Buffer.from(bytes.subarray(lastStart, validBytes)) };
}

/** The line of `entry` as {@link historyLines} writes it. */
function lineOf(entry: HistoryEntry | undefined): Buffer {
  return entry === undefined ? Buffer.alloc(0) : Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
}

/**
 * The state of a history file this store just wrote: `before` (null: it was rewritten, not
 * appended to) plus `added`, the entries of the lines written, and the file's identity and size.
 */
export function writtenHistoryState(id: { dev: bigint; ino: bigint }, size: number, before: HistoryFileState | null, added: readonly HistoryEntry[]): HistoryFileState {
  const entries = before === null ? added.slice() : before.entries.concat(added);
  const firstLine = before !== null && before.validBytes > 0 ? before.firstLine : lineOf(added[0]);
  const lastLine = added.length > 0 ? lineOf(added.at(-1)) : (before?.lastLine ?? Buffer.alloc(0));
  return { ...id, size, validBytes: size, entries, firstLine, lastLine };
}

/** True when `fd` holds exactly `expected` at byte `at`. O(expected). */
function holdsBytes(fd: number, expected: Buffer, at: number): boolean {
  if (expected.length === 0) return true;
  if (at < 0) return false;
  const got = Buffer.alloc(expected.length);
  let n = 0;
  while (n < got.length) {
    const r = fsSync.readSync(fd, got, n, got.length - n, at + n);
    if (r <= 0) return false;
    n += r;
  }
  return got.equals(expected);
}

function ioError(action: string, file: string, error: unknown): TaskIoError {
  if (error instanceof TaskIoError) return error;
  if (errorCode(error) === 'ELOOP') return new TaskIoError(`refusing to follow the symbolic link '${file}'`, { cause: error, path: file });
  const reason = error instanceof Error ? error.message : String(error);
  return new TaskIoError(`cannot ${action} '${file}': ${reason}`, { cause: error, path: file });
}

/** Throws unless `fd` is a regular file named `file` inside the real tasks directory. */
function checkDescriptor(fd: number, baseDir: string, file: string): fsSync.BigIntStats {
  const outside = openedOutside(fd, baseDir, path.basename(file));
  if (outside !== null) throw refuseOutside(file, outside);
  const stat = fsSync.fstatSync(fd, { bigint: true });
  if (!stat.isFile()) throw new TaskIoError(`cannot use '${file}': it is not a regular file`, { path: file });
  return stat;
}

function isEntry(value: unknown): value is HistoryEntry {
  return (
    isJsonObject(value) &&
    typeof value.seq === 'number' &&
    Number.isSafeInteger(value.seq) &&
    typeof value.time === 'string' &&
    typeof value.operation === 'string' &&
    isJsonObject(value.change)
  );
}

/**
 * Parses the complete lines of `bytes` (a line a crash cut short, at the end, is not complete);
 * lines that are not entries (hand edits) are skipped. O(bytes).
 */
export function parseHistoryLines(bytes: Buffer): { entries: HistoryEntry[]; validBytes: number } {
  const entries: HistoryEntry[] = [];
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (end < 0) break;
    const line = bytes.toString('utf8', start, end);
    start = end + 1;
    try {
      const value: unknown = JSON.parse(line);
      if (isEntry(value)) entries.push(value);
    } catch {
      // not an entry: skipped
    }
  }
  return { entries, validBytes: start };
}

/**
 * Runs `read` on history file `file`, opened without following a link or blocking on a FIFO and
 * checked to be inside the tasks directory; `absent` when there is no such file. Any failure is a
 * TaskIoError naming the file.
 */
function withHistoryDescriptor<T>(baseDir: string, file: string, absent: () => T, read: (fd: number, stat: fsSync.BigIntStats) => T): T {
  let fd: number;
  try {
    fd = fsSync.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return absent();
    throw ioError('read', file, error);
  }
  try {
    return read(fd, checkDescriptor(fd, baseDir, file));
  } catch (error) {
    throw ioError('read', file, error);
  } finally {
    try {
      closeFile(fd);
    } catch {
      // read already done
    }
  }
}

/** Up to `length` bytes of `fd` from `position` (fewer at the end of the file). */
function readBytesAt(fd: number, position: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fsSync.readSync(fd, bytes, got, length - got, position + got);
    if (n <= 0) break;
    got += n;
  }
  return got === length ? bytes : bytes.subarray(0, got);
}

/**
 * Reads the history file `file` (absent: no entries). With `known` (an earlier read) and the same
 * file grown since, only the bytes after it are read and parsed: O(new bytes) plus copying the
 * entry array; else O(file). Never follows a link, never blocks on a FIFO.
 */
export function readHistoryFile(baseDir: string, file: string, known: HistoryFileState | null = null): HistoryFileState {
  const empty = (): HistoryFileState => ({ dev: 0n, ino: 0n, validBytes: 0, size: 0, entries: [], firstLine: Buffer.alloc(0), lastLine: Buffer.alloc(0) });
  return withHistoryDescriptor(baseDir, file, empty, (fd, stat) => {
    const size = Number(stat.size);
    const grown =
      known !== null &&
      known.dev === stat.dev &&
      known.ino === stat.ino &&
      known.size <= size &&
      known.validBytes === known.size &&
      holdsBytes(fd, known.firstLine, 0) &&
      holdsBytes(fd, known.lastLine, known.validBytes - known.lastLine.length);
    const start = grown ? known.size : 0;
    const bytes = readBytesAt(fd, start, size - start);
    const parsed = parseHistoryLines(bytes);
    const entries = grown ? known.entries.concat(parsed.entries) : parsed.entries;
    const edges = edgeLines(bytes, parsed.validBytes);
    const firstLine = grown && known.validBytes > 0 ? known.firstLine : edges.firstLine;
    const lastLine = parsed.validBytes > 0 ? edges.lastLine : grown ? known.lastLine : edges.lastLine;
    return { dev: stat.dev, ino: stat.ino, validBytes: start + parsed.validBytes, size: start + bytes.length, entries, firstLine, lastLine };
  });
}

/** What {@link scanHistoryFile} found: enough to append to the file, without its entries. */
export interface HistoryFileTail {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: number;
  /** Bytes of the file up to its last complete line. */
  readonly validBytes: number;
  /** Complete lines (entries, and any line that is not one). */
  readonly lines: number;
  /** The sequence of the last entry, or null when the file holds none. */
  readonly lastSeq: number | null;
}

/**
 * Reads history file `file` (absent: empty) without parsing its entries: counts its complete lines
 * and parses lines from the end only until one is an entry. What a process that has not read the
 * file yet (a CLI call) needs to append to it: O(bytes) to find line ends, O(1) entries parsed.
 * Never follows a link, never blocks on a FIFO.
 */
export function scanHistoryFile(baseDir: string, file: string): HistoryFileTail {
  const empty = (): HistoryFileTail => ({ dev: 0n, ino: 0n, size: 0, validBytes: 0, lines: 0, lastSeq: null });
  return withHistoryDescriptor(baseDir, file, empty, (fd, stat) => {
    const bytes = readBytesAt(fd, 0, Number(stat.size));
    const ends: number[] = [];
    for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) ends.push(at);
    let lastSeq: number | null = null;
    for (let i = ends.length - 1; i >= 0 && lastSeq === null; i--) {
      const start = i === 0 ? 0 : (ends[i - 1] as number) + 1;
      try {
        const value: unknown = JSON.parse(bytes.toString('utf8', start, ends[i]));
        if (isEntry(value)) lastSeq = value.seq;
      } catch {
        // not an entry: look further back
      }
    }
    const validBytes = ends.length === 0 ? 0 : (ends[ends.length - 1] as number) + 1;
    return { dev: stat.dev, ino: stat.ino, size: bytes.length, validBytes, lines: ends.length, lastSeq };
  });
}

/** The lines of `entries`. */
export function historyLines(entries: readonly HistoryEntry[]): Buffer {
  return Buffer.from(entries.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
}

function writeAt(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    const n = fsSync.writeSync(fd, bytes, done, bytes.length - done, position + done);
    if (n <= 0) throw Object.assign(new Error(`the write stopped after ${done} of ${bytes.length} bytes`), { code: 'EIO' });
    done += n;
  }
}

/** What {@link appendHistory} wrote: the file's identity, and its fsync under way. */
export interface HistoryAppend {
  readonly dev: bigint;
  readonly ino: bigint;
  /**
   * Settles once the appended bytes are on disk (fsync) and the descriptor is closed: null then, or
   * the error (a TaskIoError) that kept them from getting there. Never rejects.
   */
  readonly synced: Promise<TaskIoError | null>;
}

/**
 * Appends `bytes` at byte `at` of history file `file` (creating it), synchronously, then starts its
 * fsync (unless `sync` is false) in the thread pool and returns without waiting for it: the caller
 * runs its own write alongside and must await `synced` before anything may depend on the entries
 * being durable (the store: before the session file's rename). O(bytes).
 */
export function appendHistory(baseDir: string, file: string, bytes: Buffer, at: number, sync: boolean): HistoryAppend {
  let fd: number;
  try {
    fd = fsSync.openSync(file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o666);
  } catch (error) {
    throw ioError('append to', file, error);
  }
  let stat: fsSync.BigIntStats;
  try {
    stat = checkDescriptor(fd, baseDir, file);
    writeAt(fd, bytes, at);
  } catch (error) {
    try {
      closeFile(fd);
    } catch {
      // already failing
    }
    throw ioError('append to', file, error);
  }
  const synced = new Promise<TaskIoError | null>((resolve) => {
    const close = (failure: NodeJS.ErrnoException | null): void => {
      try {
        closeFile(fd);
      } catch {
        // written (and synced) already
      }
      resolve(failure === null ? null : ioError('append to', file, failure));
    };
    if (sync) fsSync.fsync(fd, close);
    else close(null);
  });
  return { dev: stat.dev, ino: stat.ino, synced };
}

/**
 * Replaces history file `file` with exactly `bytes`, atomically: an exclusive temporary file,
 * written, fsynced (unless `sync` is false) and renamed over it. Returns the new file's identity.
 */
export function rewriteHistory(baseDir: string, file: string, bytes: Buffer, sync: boolean): { dev: bigint; ino: bigint } {
  const temp = tempFileFor(file);
  let fd: number;
  try {
    fd = createTempFile(temp, 0o666);
  } catch (error) {
    throw ioError('create the temporary file', temp, error);
  }
  let open = true;
  try {
    const outside = openedOutside(fd, baseDir, path.basename(temp));
    if (outside !== null) {
      closeFile(fd);
      open = false;
      fsSync.unlinkSync(outside);
      throw refuseOutside(file, outside);
    }
    writeAt(fd, bytes, 0);
    if (sync) fsSync.fsyncSync(fd);
    const stat = fsSync.fstatSync(fd, { bigint: true });
    closeFile(fd);
    open = false;
    fsSync.renameSync(temp, file);
    return { dev: stat.dev, ino: stat.ino };
  } catch (error) {
    if (open) {
      try {
        closeFile(fd);
      } catch {
        // already failing
      }
    }
    try {
      fsSync.unlinkSync(temp);
    } catch {
      // renamed or never created
    }
    throw ioError('rewrite', file, error);
  }
}
