/**
 * Runs a CommonJS file through V8's code cache: the compiled code of an earlier run is read back
 * instead of compiling the source again, which is most of a short CLI call's start-up.
 *
 * The cache sits beside the file, one per Node version and architecture
 * (`<file>.<version>-<arch>.cache`): the source it was made from (its length, then its bytes), then
 * V8's data. It is only ever an optimisation. A cache made from other bytes (the file was rebuilt;
 * V8 itself compares only the source's length) is not used, and V8 rejects data of another V8 version, other
 * flags or damaged data; the file is then compiled as usual and a fresh cache is written when the
 * process ends (temporary file + rename, so a concurrent run never reads half of one). When it
 * cannot be written (a read-only install), every run simply compiles.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const LENGTH_BYTES = 4;

/** Where the code cache of `file` lives for this Node. */
export function codeCachePath(file: string): string {
  return `${file}.${process.version}-${process.arch}.cache`;
}

/** What {@link runCommonJs} did with the cache. */
export type CacheUse = 'used' | 'rejected' | 'missing';

/**
 * Runs the CommonJS module `file` and returns its exports, or `undefined` when `file` does not
 * exist. Errors thrown by the module itself propagate. O(size of the file) to read and compare it.
 */
export function runCommonJs(file: string): { exports: unknown; cache: CacheUse } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  const cacheFile = codeCachePath(file);
  let stored: Buffer | undefined;
  try {
    stored = readFileSync(cacheFile);
  } catch {
    stored = undefined;
  }
  const dataStart = LENGTH_BYTES + bytes.length;
  const matches =
    stored !== undefined &&
    stored.length > dataStart &&
    stored.readUInt32LE(0) === bytes.length &&
    bytes.equals(stored.subarray(LENGTH_BYTES, dataStart));
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${bytes.toString('utf8')}\n})`, {
    filename: file,
    cachedData: matches ? stored?.subarray(dataStart) : undefined,
    // A dynamic import() inside the file goes through Node's ordinary loader.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cache: CacheUse = stored === undefined ? 'missing' : !matches || script.cachedDataRejected === true ? 'rejected' : 'used';
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  // Written at the end, so that it holds the functions this run compiled too, not only the top level.
  if (cache !== 'used') process.once('beforeExit', () => writeCache(cacheFile, bytes, script));
  return { exports: module.exports, cache };
}

function writeCache(cacheFile: string, source: Buffer, script: vm.Script): void {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(temp, 'w');
  } catch {
    // Only an optimisation: where it cannot be written (a read-only install), skip making one.
    return;
  }
  try {
    const length = Buffer.alloc(LENGTH_BYTES);
    length.writeUInt32LE(source.length);
    writeSync(fd, length);
    writeSync(fd, source);
    writeSync(fd, script.createCachedData());
    closeSync(fd);
    renameSync(temp, cacheFile);
  } catch {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
    try {
      rmSync(temp, { force: true });
    } catch {
      // It cannot be removed either: leave it.
    }
  }
}
