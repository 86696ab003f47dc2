/**
 * A test worker bundled into one ES module with esbuild (a dev dependency), for tests that start
 * many short-lived processes: `node bundle.mjs` starts in about a third of the time of
 * `node --import tsx worker.ts`, which loads and transpiles every source file again in each process.
 * The bundle goes to a temporary directory removed when the test process exits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './spawn-tsx.js';

const built = new Map<string, Promise<string>>();
let dir: string | null = null;

/** The path of a bundle of `file` (relative to the repository root), built once per test process. */
export function bundleWorker(file: string): Promise<string> {
  let bundle = built.get(file);
  if (bundle === undefined) {
    if (dir === null) {
      const made = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-worker-bundle-'));
      dir = made;
      process.once('exit', () => fs.rmSync(made, { recursive: true, force: true }));
    }
    const outfile = path.join(dir, `${path.basename(file, '.ts')}.mjs`);
    bundle = build({
      entryPoints: [path.resolve(repoRoot, file)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      // pg loads its optional native binding with require() only when asked to.
      external: ['pg-native'],
      // Bundled CommonJS (pg) calls require() for Node's own modules.
      banner: { js: "import { createRequire as __gtCreateRequire } from 'node:module'; const require = __gtCreateRequire(import.meta.url);" },
    }).then(() => outfile);
    built.set(file, bundle);
  }
  return bundle;
}
