/**
 * The temporary file of a commit: created next to the session file, written completely, synced,
 * then renamed over it by the store. Names are `<session>.json.<pid>.<12 hex digits>.gtmp`, a form
 * nothing but this library makes, so the sweep of files killed writers left behind can never delete
 * a user's file (a backup named `s.json.20240101` survives).
 *
 * The calls go through the callback API of `node:fs`, looked up at call time (cheaper than
 * FileHandle, and tests can watch them).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const TEMP_SUFFIX = '.gtmp';
const TEMP_PATTERN = /^\.\d{1,10}\.[0-9a-f]{12}\.gtmp$/;

/** Random bytes for temporary names, drawn 6 at a time (one call to the system's generator per 64 names). */
let randomPool = Buffer.alloc(0);
let randomAt = 0;

function randomHex12(): string {
  if (randomAt + 6 > randomPool.length) {
    randomPool = randomBytes(6 * 64);
    randomAt = 0;
  }
  randomAt += 6;
  return randomPool.toString('hex', randomAt - 6, randomAt);
}

/** A fresh temporary file name for `file` (same directory). */
export function tempFileFor(file: string): string {
  return `${file}.${process.pid}.${randomHex12()}${TEMP_SUFFIX}`;
}

/** True when `name` (a name in the tasks directory) is one of this library's temporary files for `file`. */
export function isTempFileOf(file: string, name: string): boolean {
  const base = path.basename(file);
  return name.startsWith(base) && TEMP_PATTERN.test(name.slice(base.length));
}

/**
 * True when the temporary file `name` (see {@link isTempFileOf}) may belong to a writer that is
 * still running: its process id is alive and not this process. Such files are left to their owner
 * (a writer that lost its lock cleans up after itself; one that died is swept later).
 */
export function mayBeInFlight(file: string, name: string): boolean {
  const pid = Number(name.slice(path.basename(file).length + 1).split('.')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const { O_CREAT, O_EXCL, O_WRONLY, O_NOFOLLOW } = fs.constants;

/**
 * Creates `temp` exclusively (never through a link, never an existing file). Returns the
 * descriptor. Synchronous: a metadata call of microseconds, cheaper than a thread-pool round trip.
 */
export function createTempFile(temp: string, mode: number): number {
  return fs.openSync(temp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, mode);
}

function writev(fd: number, chunks: readonly Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.writev(fd, chunks as Buffer[], position, (error, written) => (error ? reject(error) : resolve(written)));
  });
}

/** An error for a write that made no progress (the kernel accepted nothing and reported nothing). */
function stalled(written: number, total: number): Error {
  return Object.assign(new Error(`the write stopped after ${written} of ${total} bytes`), { code: 'EIO' });
}

/**
 * Writes every byte of `chunks` (in order, `total` bytes) at the start of `fd` with vectored
 * writes, continuing after short writes; an error (ENOSPC, EFBIG, EIO, …) or a write that makes no
 * progress rejects. O(total) bytes copied by the kernel, no concatenation here.
 */
export async function writeAll(fd: number, chunks: readonly Buffer[], total: number): Promise<void> {
  let written = 0;
  let rest: Buffer[] = chunks as Buffer[];
  while (written < total) {
    const n = await writev(fd, rest, written);
    if (n <= 0) throw stalled(written, total);
    written += n;
    if (written >= total) break;
    rest = remainder(rest, n);
  }
}

/**
 * Files up to this size (1 MiB, about 2,000 tasks) are written synchronously by {@link writeFile}:
 * copying them into the page cache takes well under a millisecond, less than handing the write to
 * the thread pool and back. Larger ones go through the pool, so the event loop never stalls long.
 */
export const SYNC_WRITE_LIMIT = 1 << 20;

/**
 * Writes every byte of `chunks` (in order, `total` bytes) at the start of `fd`, as
 * {@link writeAll} does; synchronously when `total` is at most {@link SYNC_WRITE_LIMIT}.
 */
export async function writeFile(fd: number, chunks: readonly Buffer[], total: number): Promise<void> {
  if (total > SYNC_WRITE_LIMIT) return writeAll(fd, chunks, total);
  let written = 0;
  let rest: Buffer[] = chunks as Buffer[];
  while (written < total) {
    const n = fs.writevSync(fd, rest, written);
    if (n <= 0) throw stalled(written, total);
    written += n;
    if (written >= total) break;
    rest = remainder(rest, n);
  }
}

/** `chunks` without their first `n` bytes (after a short write: rare, so O(chunks) is fine). */
function remainder(chunks: readonly Buffer[], n: number): Buffer[] {
  let skip = n;
  const next: Buffer[] = [];
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    next.push(skip > 0 ? chunk.subarray(skip) : chunk);
    skip = 0;
  }
  return next;
}

/** fsync(2) of `fd`. */
export function syncFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.fsync(fd, (error) => (error ? reject(error) : resolve()));
  });
}

/** close(2) of `fd`; errors are reported. */
export function closeFile(fd: number): void {
  fs.closeSync(fd);
}

/**
 * Sets the file's mtime to a marker: a time about a second in the past with random microseconds,
 * then returns the file's stat. No other write can leave that exact mtime behind (an in-place write
 * sets the current time, another commit its own random marker), so a stat signature with the
 * marker identifies this version exactly, without waiting out the racy window. Returns null when
 * the file system cannot keep it (coarse file times): then the caller falls back to comparing bytes.
 */
export function markFile(fd: number): fs.BigIntStats | null {
  const seconds = Date.now() / 1000 - 1 - Math.random() * 0.999;
  fs.futimesSync(fd, seconds, seconds);
  const stat = fs.fstatSync(fd, { bigint: true });
  return stat.mtimeNs % 1_000_000n === 0n ? null : stat;
}
