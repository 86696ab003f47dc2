/**
 * Cross-process exclusive locks on a session file, with proper-lockfile (a `<file>.lock`
 * directory whose mtime the holder refreshes from its event loop every `staleMs / 2`). A lock
 * whose mtime is older than `staleMs` counts as abandoned and is taken over.
 *
 * Because the refresh runs on the event loop, a holder whose loop is blocked (a long synchronous
 * computation) or whose process is stopped (SIGSTOP, a debugger, a suspended VM) can lose its lock
 * without knowing it. So a lock is not trusted on its word: {@link HeldLock.verify} checks, with
 * synchronous system calls, that the lock directory on disk is still the one this process created
 * (device, inode and birth time) and still fresh enough that no other process can count it as
 * abandoned. The store calls it as the very last step before its rename (README, "Locks").
 *
 * Two more rules than proper-lockfile's own:
 * - a lock directory dated more than {@link FUTURE_TOLERANCE_MS} in the future (a clock that was
 *   set back, a copied or hostile directory) counts as abandoned, instead of blocking every writer
 *   until that date;
 * - the holder removes the lock directory at release only if it is still the one it created, so a
 *   holder that lost its lock never deletes the lock of the process that took it over;
 * - every call on the lock directory goes through a checked descriptor of its parent, never through
 *   a `.gestura` swapped for a link since the store checked it (see {@link parents}).
 */
import fs from 'node:fs';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
// Loaded with the library, not lazily at the first lock: proper-lockfile installs signal-exit's
// SIGINT/SIGTERM handlers when it loads, and those re-raise a signal when they are the only
// listeners left. Installed late, they would run after an application's own `once` handler and kill
// the process before its shutdown finished (the dashboard's `serve` test caught exactly that).
import lockfile from 'proper-lockfile';
import { TaskIoError } from '../errors.js';
import { errorCode } from './error-code.js';

/** Lock timing. */
export interface FileLockOptions {
  /** Age after which an unrefreshed lock counts as abandoned and is taken over (ms, ≥ 2000). */
  readonly staleMs: number;
  /** How long to wait for the lock before failing with an I/O error (ms). */
  readonly timeoutMs: number;
}

/** Defaults: abandoned locks are taken over after 10 s; give up waiting after 30 s. */
export const DEFAULT_LOCK_OPTIONS: FileLockOptions = { staleMs: 10_000, timeoutMs: 30_000 };

/**
 * A lock directory whose mtime is further than this in the future counts as abandoned. A live
 * holder's mtime is at most about 1 s ahead (proper-lockfile's first lock in a process probes the
 * file system's time precision with "next whole second + 5 ms").
 */
export const FUTURE_TOLERANCE_MS = 5_000;

/**
 * A holder refuses to commit when its lock is within this of becoming stale (ms): the time the
 * final check needs to stay valid until the rename, with room for a pause of the process between
 * the two (a garbage collection).
 */
export const FRESHNESS_MARGIN_MS = 100;

/** A held lock. */
export interface HeldLock {
  /** Set when proper-lockfile noticed the lock was lost (its directory vanished or was taken over). */
  readonly compromised: Error | null;
  /**
   * Throws a {@link TaskIoError} unless the lock is still this holder's and no other process can
   * take it over for at least {@link FRESHNESS_MARGIN_MS}. Synchronous: nothing runs in between
   * it and the caller's next system call. O(1), one lstat.
   */
  verify(): void;
  /** Releases the lock (errors after a loss are ignored; a lock taken over is left alone). */
  release(): Promise<void>;
}

interface Owned {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly birthtimeNs: bigint;
  /** When this process last set the lock's mtime (Date.now()). */
  lastRefreshMs: number;
}

/** Lock directories this process holds, by path. */
const owned = new Map<string, Owned>();

/** Where the kernel shows open descriptors as links to what they are (Linux). */
const PROC_FD = '/proc/self/fd';
let procFdAvailable: boolean | undefined;

/** A lock directory's expected parent, and a descriptor of it once opened and checked. */
interface Parent {
  readonly dev: bigint;
  readonly ino: bigint;
  /** A descriptor of the parent, checked to be the expected directory; null until first needed. */
  fd: number | null;
  /** True when `fd` is one of {@link sharedParentFds} (kept open, never closed by this entry). */
  shared: boolean;
  /** Set once an attempt found the lock held: every later attempt opens and checks afresh. */
  fresh: boolean;
}

/**
 * Checked descriptors of tasks directories, by `dev:ino`, kept open for the life of the process
 * (at most {@link SHARED_PARENT_FDS}) so that a commit does not open, check and close its tasks
 * directory again for its lock (three system calls each time). A descriptor names the directory
 * itself: while it is open no other directory can have that device and inode, so the one found
 * under `dev:ino` is exactly the directory the store has just checked by path (it passes what it
 * found). A tasks directory removed and made again has a new inode, hence a new entry.
 */
const sharedParentFds = new Map<string, number>();
const SHARED_PARENT_FDS = 16;

/**
 * The tasks directory (device and inode, as the store checked it) that each lock directory must
 * be made, judged, refreshed and removed in, by lock path. While a lock is wanted or held, every
 * call on it goes through a descriptor of its parent directory that was checked to be that one,
 * and through `/proc/self/fd/<n>/<name>`, so a `.gestura` swapped for a link in the meantime can
 * never make it create, touch or remove anything elsewhere (README guarantee 6). A descriptor names
 * the directory itself, so no later swap can redirect it: the first attempt to take a lock uses the
 * one kept for that directory (see {@link sharedParentFds}; opened and checked on first use), and
 * once an attempt found the lock held, every later attempt of that wait opens and checks the
 * parent afresh, so a swap while waiting is refused at the next attempt. A commit's half-dozen
 * calls on its lock thus cost no open at all. (A swap while the lock is held is the store's to
 * refuse: it checks the directories right before its rename.)
 */
const parents = new Map<string, Parent>();

/** Lets go of the descriptor `parent` holds, if any (closing it unless it is a kept one). */
function closeParent(parent: Parent): void {
  if (parent.fd === null) return;
  const fd = parent.fd;
  parent.fd = null;
  if (parent.shared) {
    parent.shared = false;
    return;
  }
  try {
    fs.closeSync(fd);
  } catch {
    // Nothing more to do with it.
  }
}

/** A descriptor of `dir`'s parent checked to be `parent` (opened now, or the one kept). O(1). */
function checkedParentFd(dir: string, parent: Parent): number {
  if (parent.fd !== null) return parent.fd;
  const key = `${parent.dev}:${parent.ino}`;
  const kept = parent.fresh ? undefined : sharedParentFds.get(key);
  if (kept !== undefined) {
    parent.fd = kept;
    parent.shared = true;
    return kept;
  }
  const fd = fs.openSync(path.dirname(dir), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    const stat = fs.fstatSync(fd, { bigint: true });
    if (stat.dev !== parent.dev || stat.ino !== parent.ino) {
      const error: NodeJS.ErrnoException = new Error(
        `the directory of '${dir}' is no longer the tasks directory checked before (a link swapped in above it?); nothing was made or removed there`,
      );
      error.code = 'EREPLACED';
      throw error;
    }
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  parent.fd = fd;
  if (!parent.fresh && !sharedParentFds.has(key) && sharedParentFds.size < SHARED_PARENT_FDS) {
    sharedParentFds.set(key, fd);
    parent.shared = true;
  }
  return fd;
}

/**
 * Runs `op` on the lock directory `dir`, reached through its checked parent (see {@link parents});
 * on the plain path when no parent is known or there is no `/proc`. O(1).
 */
function inCheckedParent<T>(dir: string, op: (target: string) => T): T {
  const parent = parents.get(dir);
  if (parent === undefined || !(procFdAvailable ??= fs.existsSync(PROC_FD))) return op(dir);
  return op(`${PROC_FD}/${checkedParentFd(dir, parent)}/${path.basename(dir)}`);
}

function sameDirectory(o: Owned, s: BigIntStats): boolean {
  return s.isDirectory() && s.dev === o.dev && s.ino === o.ino && s.birthtimeNs === o.birthtimeNs;
}

function identityNow(dir: string): BigIntStats | undefined {
  return inCheckedParent(dir, (target) => fs.lstatSync(target, { bigint: true, throwIfNoEntry: false }));
}

/**
 * Lock directories this process has just made, by path, with the lstat proper-lockfile made of each
 * right after its mkdir (null until then): the new holder's identity (device, inode, birth time),
 * taken from there instead of a second lstat of the same directory. Cleared by every attempt.
 */
const madeNow = new Map<string, BigIntStats | null>();

/**
 * The file-system calls proper-lockfile makes, with the two rules above: `stat` and `utimes` never
 * follow a link, and `stat` reports a far-future mtime as the epoch (abandoned); `rmdir` of a
 * directory this process holds removes it only while it is still the one it created; `utimes` of a
 * held lock records the refresh. One object for the process: proper-lockfile caches the mtime precision on it.
 */
const lockFs = {
  // mkdir, stat and rmdir of a lock directory are metadata calls of microseconds: run
  // synchronously (answering on the next tick, as a callback API must), they save a thread-pool
  // round trip each on every commit.
  mkdir(dir: string, callback: (error: NodeJS.ErrnoException | null) => void): void {
    let failure: NodeJS.ErrnoException | null = null;
    try {
      inCheckedParent(dir, (target) => fs.mkdirSync(target));
      madeNow.set(dir, null);
    } catch (error) {
      failure = error as NodeJS.ErrnoException;
    }
    process.nextTick(callback, failure);
  },
  realpath: fs.realpath,
  stat(file: string, callback: (error: NodeJS.ErrnoException | null, stat?: BigIntStats) => void): void {
    // With nanosecond fields (proper-lockfile only reads `mtime`): the stat right after a mkdir
    // is also the identity the new holder records (see madeNow).
    let stat: BigIntStats;
    try {
      stat = inCheckedParent(file, (target) => fs.lstatSync(target, { bigint: true }));
    } catch (error) {
      process.nextTick(callback, error as NodeJS.ErrnoException);
      return;
    }
    if (madeNow.get(file) === null) madeNow.set(file, stat);
    // `mtime` as a plain stat has it, rounded to the millisecond (a BigIntStats truncates):
    // proper-lockfile compares it with the Date it set, which a write can store a nanosecond
    // below its millisecond.
    const mtimeMs = Number(stat.mtimeNs / 1_000_000_000n) * 1e3 + Number(stat.mtimeNs % 1_000_000_000n) / 1e6;
    const future = mtimeMs > Date.now() + FUTURE_TOLERANCE_MS;
    Object.defineProperty(stat, 'mtime', { value: new Date(future ? 0 : Math.round(mtimeMs)) });
    if (future) Object.defineProperty(stat, 'mtimeMs', { value: 0n });
    process.nextTick(callback, null, stat);
  },
  utimes(file: string, atime: Date, mtime: Date, callback: (error: NodeJS.ErrnoException | null) => void): void {
    // lutimes: a lock directory swapped for a link never makes the refresh touch the link's target.
    let failure: NodeJS.ErrnoException | null = null;
    try {
      inCheckedParent(file, (target) => fs.lutimesSync(target, atime, mtime));
      const mine = owned.get(file);
      if (mine !== undefined) mine.lastRefreshMs = Date.now();
    } catch (error) {
      failure = error as NodeJS.ErrnoException;
    }
    process.nextTick(callback, failure);
  },
  rmdir(dir: string, callback: (error: NodeJS.ErrnoException | null) => void): void {
    let failure: NodeJS.ErrnoException | null = null;
    try {
      lockFs.rmdirSync(dir);
    } catch (error) {
      failure = error as NodeJS.ErrnoException;
    }
    process.nextTick(callback, failure);
  },
  rmdirSync(dir: string): void {
    const mine = owned.get(dir);
    if (mine === undefined) return inCheckedParent(dir, (target) => fs.rmdirSync(target));
    try {
      const now = identityNow(dir);
      if (now === undefined || !sameDirectory(mine, now)) return;
      inCheckedParent(dir, (target) => fs.rmdirSync(target));
    } catch (error) {
      // Our own lock cannot be reached safely (a link swapped in above it): it is left to go
      // stale rather than failing a commit that was already written.
      if (errorCode(error) !== 'EREPLACED') throw error;
    }
  },
};

function lost(file: string, reason: string, cause?: unknown): TaskIoError {
  return new TaskIoError(`lost the lock of '${file}' before the commit could be written (${reason}); nothing was written`, { path: file, cause });
}

/**
 * Acquires the lock of `file` (which need not exist), retrying with jittered backoff from 1 ms up to
 * 50 ms until `deadline` (default: `timeoutMs` from now) has passed. With `parent` (device and inode
 * of the directory the caller checked `file` to be in), the lock directory is only ever made,
 * refreshed and removed in that directory (see {@link parents}).
 */
export async function acquireFileLock(
  file: string,
  options: FileLockOptions,
  deadline = Date.now() + options.timeoutMs,
  parent?: { readonly dev: bigint; readonly ino: bigint },
): Promise<HeldLock> {
  const lockDir = `${path.resolve(file)}.lock`;
  const entry: Parent | undefined = parent === undefined ? undefined : { dev: parent.dev, ino: parent.ino, fd: null, shared: false, fresh: false };
  if (entry !== undefined) parents.set(lockDir, entry);
  const forget = (): void => {
    if (entry === undefined) return;
    if (parents.get(lockDir) === entry) parents.delete(lockDir);
    closeParent(entry);
  };
  let held = false;
  try {
    const lock = await acquire(file, lockDir, options, deadline);
    held = true;
    return {
      get compromised() {
        return lock.compromised;
      },
      verify: () => lock.verify(),
      release: async () => {
        try {
          await lock.release();
        } finally {
          forget();
        }
      },
    };
  } finally {
    if (!held) forget();
  }
}

async function acquire(file: string, lockDir: string, options: FileLockOptions, deadline: number): Promise<HeldLock> {
  const staleMs = Math.max(2000, options.staleMs);
  let delay = 1;
  for (;;) {
    let compromised: Error | null = null;
    let release: () => Promise<void>;
    madeNow.delete(lockDir);
    try {
      release = await lockfile.lock(file, {
        realpath: false,
        stale: staleMs,
        retries: 0,
        fs: lockFs,
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      if (errorCode(error) !== 'ELOCKED') {
        throw new TaskIoError(`cannot lock '${file}': ${(error as Error).message}`, { cause: error, path: file });
      }
      if (Date.now() >= deadline) {
        throw new TaskIoError(`timed out after ${options.timeoutMs} ms waiting for the lock of '${file}'`, { cause: error, path: file });
      }
      // While waiting, each attempt opens and checks the parent afresh, so that a directory
      // swapped in the meantime is refused at the next attempt instead of at the deadline.
      const parent = parents.get(lockDir);
      if (parent !== undefined) {
        closeParent(parent);
        parent.fresh = true;
      }
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(50, delay * 2);
      continue;
    }
    // The lstat proper-lockfile made right after its mkdir (the same call identityNow makes), else one now.
    const probed = madeNow.get(lockDir) ?? null;
    madeNow.delete(lockDir);
    const stat = probed ?? identityNow(lockDir);
    if (stat === undefined || !stat.isDirectory()) {
      // Taken from us between the mkdir and this lstat (only possible if this process stalled for
      // staleMs): forget it without removing what is there now, and try again.
      owned.set(lockDir, { dev: -1n, ino: -1n, birthtimeNs: -1n, lastRefreshMs: 0 });
      await release().catch(() => undefined);
      owned.delete(lockDir);
      continue;
    }
    const mine: Owned = { dev: stat.dev, ino: stat.ino, birthtimeNs: stat.birthtimeNs, lastRefreshMs: Date.now() };
    owned.set(lockDir, mine);
    return {
      get compromised() {
        return compromised;
      },
      verify() {
        if (compromised !== null) throw lost(file, (compromised as Error).message, compromised);
        const now = Date.now();
        const sinceRefresh = now - mine.lastRefreshMs;
        if (sinceRefresh > staleMs - FRESHNESS_MARGIN_MS) {
          throw lost(file, `it was last refreshed ${sinceRefresh} ms ago, so after staleMs (${staleMs} ms) another process may have taken it`);
        }
        let current: BigIntStats | undefined;
        try {
          current = identityNow(lockDir);
        } catch (error) {
          throw lost(file, `cannot check it: ${(error as Error).message}`, error);
        }
        if (current === undefined) throw lost(file, 'its directory is gone');
        if (!sameDirectory(mine, current)) throw lost(file, 'another process took it over');
        const age = now - Number(current.mtimeNs / 1_000_000n);
        if (age > staleMs - FRESHNESS_MARGIN_MS) {
          throw lost(file, `its time is ${age} ms old, so another process may take it over at any moment`);
        }
      },
      release: async () => {
        try {
          await release();
        } catch (error) {
          if (compromised === null) {
            throw new TaskIoError(`cannot release the lock of '${file}': ${(error as Error).message}`, { cause: error, path: file });
          }
        } finally {
          if (owned.get(lockDir) === mine) owned.delete(lockDir);
        }
      },
    };
  }
}
