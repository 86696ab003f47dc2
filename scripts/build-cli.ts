/**
 * Bundles the command line into dist/cli/bundle.cjs: the compiled CLI (dist/cli/program.js), the
 * library and zod and commander in one CommonJS file, which the entries run through V8's code cache
 * (src/cli/code-cache.ts). One file compiled from a cache starts much faster than the ~150 ES
 * modules it replaces, each resolved, read and compiled on every call (zod alone is ~90 files).
 *
 * Also builds the package's `bin`, dist/cli/main.cjs: src/cli/launch.ts as a small CommonJS file,
 * so that a call never starts Node's ES-module loader (~4 ms); it imports the ES-module entry
 * dist/cli/main.js only when there is no bundle.
 *
 * The MCP SDK and `pg` stay outside (optional dependencies, required only by `mcp` and by a
 * PostgreSQL store, which the bundle initialises only when a command is given a database URL:
 * esbuild turns the dynamic import in src/app/store-target.ts into lazy code). `import.meta.url`
 * becomes the bundle's own URL: dist/cli is as deep as every other dist/ folder, so paths relative
 * to it (../../package.json, the dashboard's page) resolve as they do from the modules.
 *
 * `npm run build` runs it after tsc, so the bundle is always built from the same dist/ it sits in.
 */
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliDir = path.join(root, 'dist', 'cli');

/**
 * Built-in modules that the bundled code only calls into (never enumerates; the bundle requires
 * them as externals and reads their functions at each call) and that a read-only command never
 * calls: required at their first use instead of at start-up. `node:crypto` (nanoid, temporary-file
 * names) costs ~2 ms to load, `node:child_process` (commander, for executable subcommands only)
 * ~1 ms.
 */
const LAZY_BUILTINS = ['node:crypto', 'crypto', 'node:child_process', 'child_process'];

/**
 * The bundle's first lines: its own URL for `import.meta.url`, and a `require` that hands out a
 * stand-in for each of {@link LAZY_BUILTINS}, which requires the real module at its first use and
 * forwards every access to it.
 */
const BANNER = `const __gesturaBundleUrl = require('node:url').pathToFileURL(__filename).href;
require = ((real) => {
  const lazy = new Set(${JSON.stringify(LAZY_BUILTINS)});
  const made = new Map();
  const standIn = (id) => {
    let loaded;
    const load = () => (loaded ??= real(id));
    return new Proxy({}, {
      get: (_target, key) => load()[key],
      has: (_target, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_target, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
        if (descriptor !== undefined) descriptor.configurable = true;
        return descriptor;
      },
    });
  };
  const lazyRequire = (id) => {
    if (!lazy.has(id)) return real(id);
    if (!made.has(id)) made.set(id, standIn(id));
    return made.get(id);
  };
  return Object.assign(lazyRequire, real);
})(require);`;

/** The bundle that the entries run when it exists. */
export const CLI_BUNDLE = path.join(cliDir, 'bundle.cjs');

/** The package's `bin` (package.json). */
export const CLI_LAUNCHER = path.join(cliDir, 'main.cjs');

/**
 * signal-exit (through proper-lockfile) loads `assert` (~1 ms) for one `assert.equal` on a callback's
 * type when it loads. Inside the bundle it gets an `equal` that compares as `assert.equal` does (`==`)
 * and hands a failing comparison to the real `assert.equal`, so the error is the same.
 */
const lazyAssert: Plugin = {
  name: 'signal-exit-lazy-assert',
  setup(b) {
    b.onResolve({ filter: /^assert$/ }, (args) => (/[\\/]signal-exit[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'lazy-assert' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-assert' }, () => ({
      contents: "module.exports = { equal(actual, expected, message) { if (actual != expected) require('node:assert').equal(actual, expected, message); } };",
      loader: 'js',
    }));
  },
};

/**
 * proper-lockfile requires graceful-fs as its default file system, which the store never uses: it
 * passes its own functions (src/store/file-lock.ts) to every lock call, and proper-lockfile calls
 * only those. Loading graceful-fs costs a CLI call ~2 ms (it reads `fs.ReadStream`, which loads
 * Node's file streams and `fs/promises`), so inside the bundle the default is plain `node:fs`.
 */
const plainFsForLocks: Plugin = {
  name: 'proper-lockfile-plain-fs',
  setup(b) {
    b.onResolve({ filter: /^graceful-fs$/ }, (args) => (/[\\/]proper-lockfile[\\/]/.test(args.importer) ? { path: 'node:fs', external: true } : undefined));
  },
};

/**
 * zod's namespace re-exports every locale (~300 kB of the bundle's ~1 MB, read, and its code cache
 * loaded, on every call). The CLI uses only English, which zod imports itself
 * (zod/v4/classic/schemas.js): inside the bundle, `z.locales` / `core.locales` hold `en` alone.
 */
const englishOnlyLocales: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: path.join(args.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * Builds {@link CLI_BUNDLE} from the compiled dist/cli/program.js (or from `entryDir`'s program,
 * e.g. src/cli for tests), and removes the code caches of the previous bundle (they would never be
 * used again, and must not be published).
 */
export async function buildCliBundle(outfile: string = CLI_BUNDLE, entryDir: string = cliDir): Promise<void> {
  const base = path.basename(outfile);
  mkdirSync(path.dirname(outfile), { recursive: true });
  for (const name of readdirSync(path.dirname(outfile))) {
    if (name.startsWith(`${base}.`) && (name.endsWith('.cache') || name.endsWith('.tmp'))) rmSync(path.join(path.dirname(outfile), name), { force: true });
  }
  await build({
    stdin: { contents: "export { runCli } from './program.js';", resolveDir: entryDir, sourcefile: 'bundle-entry.js', loader: 'js' },
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*', 'pg', 'pg/*'],
    define: { 'import.meta.url': '__gesturaBundleUrl' },
    banner: { js: BANNER },
    plugins: [englishOnlyLocales, lazyAssert, plainFsForLocks],
    // Whitespace only: names stay, so error and class names read as in the modules.
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/**
 * Builds {@link CLI_LAUNCHER} from the compiled dist/cli/launch.js (or `entryDir`'s): runs the
 * bundle beside it, or imports the ES-module entry main.js beside it when there is none.
 */
export async function buildCliLauncher(outfile: string = CLI_LAUNCHER, entryDir: string = cliDir): Promise<void> {
  await build({
    stdin: {
      contents: "import { launchBundledCli } from './launch.js';\nif (!launchBundledCli(__dirname)) import('./main.js');\n",
      resolveDir: entryDir,
      sourcefile: 'main-entry.js',
      loader: 'js',
    },
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['./main.js'],
    banner: { js: '#!/usr/bin/env node' },
    legalComments: 'none',
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCliBundle();
  await buildCliLauncher();
}
