/**
 * Runs a CommonJS file through V8's code cache: the compiled code of the last run is read back
 * instead of compiling the source again, which is most of a short CLI call's start-up.
 *
 * The cache sits beside the file, one per Node version and architecture
 * (`<file>.<version>-<arch>.cache`). It is only ever an optimisation: a missing, stale or damaged
 * cache is rejected by V8 (it checks the V8 version, flags and source), the file is compiled as
 * usual, and a fresh cache is written when the process ends (temporary file + rename, so a
 * concurrent run never reads half of one). When it cannot be written (a read-only install), every
 * run simply compiles.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** Where the code cache of `file` lives for this Node. */
export function codeCachePath(file: string): string {
  return `${file}.${process.version}-${process.arch}.cache`;
}

/** What {@link runCommonJs} did with the cache (for tests and the benchmark). */
export type CacheUse = 'used' | 'rejected' | 'missing';

/**
 * Runs the CommonJS module `file` and returns its exports, or `undefined` when `file` does not
 * exist. Errors thrown by the module itself propagate.
 */
export function runCommonJs(file: string): { exports: unknown; cache: CacheUse } | undefined {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  const cacheFile = codeCachePath(file);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    // A dynamic import() inside the file goes through Node's ordinary loader.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cache: CacheUse = cachedData === undefined ? 'missing' : script.cachedDataRejected === true ? 'rejected' : 'used';
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  // Written at the end, so that it holds the functions this run compiled too, not only the top level.
  if (cache !== 'used') process.once('beforeExit', () => writeCache(script, cacheFile));
  return { exports: module.exports, cache };
}

function writeCache(script: vm.Script, cacheFile: string): void {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
  } catch {
    // Only an optimisation: a read-only install runs without a cache.
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing was written, or it cannot be removed either: leave it.
    }
  }
}
