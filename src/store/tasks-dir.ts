/**
 * The tasks directory `<baseDir>/.gestura/tasks`, checked one component at a time below the base
 * directory: `.gestura` and `tasks` must be real directories, never symbolic links (a cloned
 * repository can ship `.gestura` as a link to anywhere) and never anything else. Missing components
 * are created one `mkdir` at a time (never recursively through a link). So the store never creates,
 * writes, renames or deletes anything outside the base directory through them (README guarantee 6).
 *
 * The base directory itself is the caller's choice and may be reached through links. Synchronous
 * lstat calls: a couple of microseconds each on a local disk, and the final check before a rename
 * must not yield to the event loop.
 */
import fs from 'node:fs';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { TaskIoError } from '../errors.js';
import { errorCode } from './error-code.js';

/** Where a checked directory was found (device and inode of `.gestura` and of `tasks`). */
export interface TasksDirIdentity {
  readonly gesturaDev: bigint;
  readonly gesturaIno: bigint;
  readonly tasksDev: bigint;
  readonly tasksIno: bigint;
}

function refuse(dir: string, baseDir: string, what: string, cause?: unknown): TaskIoError {
  return new TaskIoError(
    `refusing to use '${dir}': it is ${what}; the tasks directory must be a real directory inside '${baseDir}' (remove or replace it)`,
    { path: dir, cause },
  );
}

/** lstat of `dir`, undefined when it does not exist; TaskIoError for anything but a real directory. */
function checkedDirectory(dir: string, baseDir: string): BigIntStats | undefined {
  let stat: BigIntStats | undefined;
  try {
    stat = fs.lstatSync(dir, { bigint: true, throwIfNoEntry: false });
  } catch (error) {
    if (errorCode(error) === 'ENOTDIR') throw refuse(path.dirname(dir), baseDir, 'not a directory', error);
    throw new TaskIoError(`cannot check the directory '${dir}': ${(error as Error).message}`, { cause: error, path: dir });
  }
  if (stat === undefined) return undefined;
  if (stat.isSymbolicLink()) throw refuse(dir, baseDir, 'a symbolic link');
  if (!stat.isDirectory()) throw refuse(dir, baseDir, 'not a directory');
  return stat;
}

function createOne(dir: string): void {
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return; // made meanwhile by another process: checked next
    throw new TaskIoError(`cannot create the directory '${dir}': ${(error as Error).message}`, { cause: error, path: dir });
  }
}

/**
 * Checks `<baseDir>/.gestura/tasks`; with `create`, makes what is missing (the base directory
 * recursively, the two components below it one at a time). Returns null when it does not exist
 * and `create` is false.
 */
export function openTasksDirectory(baseDir: string, create: boolean): TasksDirIdentity | null {
  const gestura = path.join(baseDir, '.gestura');
  const tasks = path.join(gestura, 'tasks');
  let g = checkedDirectory(gestura, baseDir);
  if (g === undefined) {
    if (!create) return null;
    try {
      fs.mkdirSync(baseDir, { recursive: true });
    } catch (error) {
      throw new TaskIoError(`cannot create the directory '${baseDir}': ${(error as Error).message}`, { cause: error, path: baseDir });
    }
    createOne(gestura);
    g = checkedDirectory(gestura, baseDir);
    if (g === undefined) throw new TaskIoError(`cannot create the directory '${gestura}': it vanished`, { path: gestura });
  }
  let t = checkedDirectory(tasks, baseDir);
  if (t === undefined) {
    if (!create) return null;
    createOne(tasks);
    t = checkedDirectory(tasks, baseDir);
    if (t === undefined) throw new TaskIoError(`cannot create the directory '${tasks}': it vanished`, { path: tasks });
  }
  return { gesturaDev: g.dev, gesturaIno: g.ino, tasksDev: t.dev, tasksIno: t.ino };
}

/**
 * Throws unless `.gestura` and `tasks` are still the directories `expected` describes (nothing was
 * swapped for a link since they were checked). O(1): two lstat calls.
 */
export function verifyTasksDirectory(baseDir: string, expected: TasksDirIdentity): void {
  const gestura = path.join(baseDir, '.gestura');
  const tasks = path.join(gestura, 'tasks');
  const g = checkedDirectory(gestura, baseDir);
  const t = checkedDirectory(tasks, baseDir);
  if (g === undefined || g.dev !== expected.gesturaDev || g.ino !== expected.gesturaIno) {
    throw new TaskIoError(`the directory '${gestura}' was replaced while committing; nothing was written`, { path: gestura });
  }
  if (t === undefined || t.dev !== expected.tasksDev || t.ino !== expected.tasksIno) {
    throw new TaskIoError(`the directory '${tasks}' was replaced while committing; nothing was written`, { path: tasks });
  }
}

/** Where the kernel shows a descriptor's path (Linux); absent elsewhere. */
const FD_LINKS = '/proc/self/fd';

/**
 * Where the open descriptor `fd` really is, when that is not the file `name` in the real tasks
 * directory below `baseDir`; null when it is (or when this cannot be told). A path check before an
 * `open` cannot prove where the open lands: `.gestura` or `tasks` can be swapped for a link between
 * the check and the open (and back), and the open follows it. So the descriptor itself is asked
 * (`/proc/self/fd`, Linux). A file replaced by a rename since it was opened shows as `… (deleted)`
 * at its old path, which is fine. Where `/proc` is missing nothing is checked (the window is then
 * the one between the directory check and the open). O(1): one readlink, plus a realpath of the
 * base directory the first time and whenever the descriptor is not below its last one.
 */
export function openedOutside(fd: number, baseDir: string, name: string): string | null {
  let actual: string;
  try {
    actual = fs.readlinkSync(`${FD_LINKS}/${fd}`);
  } catch {
    return null; // no /proc: nothing more to check
  }
  const deleted = ' (deleted)';
  if (actual.endsWith(deleted)) actual = actual.slice(0, -deleted.length);
  // The base directory's real path as last resolved, then resolved again only when the descriptor
  // is not below it: a match with the earlier resolution is still the real tasks directory of this
  // base directory (the kernel's path of the descriptor has no link in it), and saves resolving
  // every component again on each commit.
  const known = realBaseDirs.get(baseDir);
  if (known !== undefined && actual === path.join(known, '.gestura', 'tasks', name)) return null;
  let real: string;
  try {
    real = fs.realpathSync.native(baseDir);
  } catch (error) {
    throw new TaskIoError(`cannot check the directory '${baseDir}': ${(error as Error).message}`, { cause: error, path: baseDir });
  }
  if (realBaseDirs.size >= 256 && !realBaseDirs.has(baseDir)) realBaseDirs.clear();
  realBaseDirs.set(baseDir, real);
  return actual === path.join(real, '.gestura', 'tasks', name) ? null : actual;
}

/** Base directory → its real path as last resolved by {@link openedOutside} (at most 256). */
const realBaseDirs = new Map<string, string>();

/** The error for a descriptor {@link openedOutside} found outside the tasks directory. */
export function refuseOutside(file: string, actual: string): TaskIoError {
  return new TaskIoError(
    `refusing '${file}': it was reached through a link swapped in above it and is really '${actual}'; nothing was read or written there`,
    { path: file },
  );
}

/**
 * Runs `fn` with a path to the real tasks directory below `baseDir` that no link swapped in above
 * it can redirect: `/proc/self/fd/<n>` of a descriptor checked with {@link openedOutside} (Linux),
 * else the plain path. For listing and removing names in it. Throws ENOENT (as an fs error) when the
 * directory does not exist, a TaskIoError when what was opened is not that directory. O(1) + `fn`.
 */
export function inTasksDirectory<T>(baseDir: string, fn: (dir: string) => T): T {
  const dir = path.join(baseDir, '.gestura', 'tasks');
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  try {
    const outside = openedOutside(fd, baseDir, '');
    if (outside !== null) throw refuseOutside(dir, outside);
    const viaFd = `${FD_LINKS}/${fd}`;
    return fn(fs.existsSync(viaFd) ? viaFd : dir);
  } finally {
    fs.closeSync(fd);
  }
}
