/**
 * Vitest global setup: what `npm test` needs that `npm ci` does not bring. The dashboard's browser
 * tests drive Debian's Chromium; on a machine without it, it is installed here with apt-get (as
 * root, or through sudo without a password), so the README's test command needs no setup. Where
 * that is impossible the browser tests fail with the reason, and everything else still runs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Where the browser tests look for Chromium (as test/helpers/dashboard.ts). */
const CHROMIUM_PATH = process.env.GESTURA_CHROMIUM ?? '/usr/bin/chromium';

function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? [command, args] : ['sudo', ['-n', command, ...args]];
  execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

export default function setup(): void {
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
