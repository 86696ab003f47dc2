/**
 * Builds the dashboard page into dist/dashboard/public: the TypeScript of src/dashboard/web bundled
 * into one ES module with esbuild (type-checking is `npm run typecheck`'s job), plus the HTML, CSS
 * and icon copied as they are. `npm run build` runs it after tsc; the browser tests run it first.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'src', 'dashboard', 'web');

/** Where the built page goes by default. */
export const DASHBOARD_ASSETS_DIR = path.join(root, 'dist', 'dashboard', 'public');

/** Builds the page into `outDir`. */
export async function buildDashboardAssets(outDir: string = DASHBOARD_ASSETS_DIR): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(web, 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'app.css', 'favicon.svg']) copyFileSync(path.join(web, file), path.join(outDir, file));
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildDashboardAssets().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
