/**
 * Running the built CLI bundle (dist/cli/bundle.cjs, see scripts/build-cli.ts) through V8's code
 * cache. Used by both entries: the package's `bin`, dist/cli/main.cjs, a CommonJS file built from
 * this module (no ES-module loader is started at all, which saves ~4 ms per call), and the ES
 * module dist/cli/main.js (running from source, or a dist/ built by tsc alone).
 */
import path from 'node:path';
import { runCommonJs } from './code-cache.js';
import { processIo } from './io.js';
import type { runCli as RunCli } from './program.js';

/** The bundle's name beside the entry. */
export const BUNDLE_FILE = 'bundle.cjs';

/**
 * `runCli` of the bundle in `dir`, or `undefined` when there is none (or `GESTURA_TASKS_NO_BUNDLE=1`
 * asks for the modules, as the start-up benchmark does to compare).
 */
export function bundledCli(dir: string): typeof RunCli | undefined {
  if (process.env.GESTURA_TASKS_NO_BUNDLE === '1') return undefined;
  const loaded = runCommonJs(path.join(dir, BUNDLE_FILE));
  return (loaded?.exports as { runCli?: typeof RunCli } | undefined)?.runCli;
}

/**
 * Runs the CLI from the bundle in `dir` on the real process, setting its exit code; `false` when
 * there is no bundle to run (the caller then loads the modules).
 */
export function launchBundledCli(dir: string): boolean {
  const runCli = bundledCli(dir);
  if (runCli === undefined) return false;
  void runCli(process.argv.slice(2), processIo()).then((code) => {
    process.exitCode = code;
  });
  return true;
}
