/**
 * The page's files: a fixed list served from the package's own directory (built by
 * `npm run build` into dist/dashboard/public). Nothing else on disk is reachable through the
 * server, and nothing is fetched from elsewhere: the page works offline.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** URL path → file name and content type. Only these are served. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/assets/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

/** A file ready to send. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/**
 * The directory holding the built page: `public/` next to this module in the published package
 * (dist/dashboard/public), or dist/dashboard/public of the checkout when running from source.
 */
export function defaultAssetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'public');
  if (existsSync(path.join(beside, 'index.html'))) return beside;
  return path.resolve(here, '..', '..', 'dist', 'dashboard', 'public');
}

/** Serves the fixed asset list from `dir`, read once on first use. */
export class AssetTable {
  readonly #dir: string;
  readonly #cache = new Map<string, Asset>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** True when `urlPath` names one of the page's files. */
  has(urlPath: string): boolean {
    return Object.prototype.hasOwnProperty.call(FILES, urlPath);
  }

  /** The file for `urlPath` (which must satisfy {@link has}); throws when the page was not built. */
  get(urlPath: string): Asset {
    const cached = this.#cache.get(urlPath);
    if (cached !== undefined) return cached;
    const entry = FILES[urlPath];
    if (entry === undefined) throw new Error(`not an asset: ${urlPath}`);
    let body: Buffer;
    try {
      body = readFileSync(path.join(this.#dir, entry.file));
    } catch {
      throw new Error(`the dashboard page is not built (${path.join(this.#dir, entry.file)} is missing): run npm run build`);
    }
    const asset = { body, type: entry.type };
    this.#cache.set(urlPath, asset);
    return asset;
  }
}
