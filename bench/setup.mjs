/* global process */
// Installs the benchmark's own dependencies (bench/package-lock.json) when they are missing or
// do not load, so `npm run bench` works from a fresh clone and the main `npm ci` stays small.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
function loads() {
  try {
    const Database = createRequire(path.join(dir, 'package.json'))('better-sqlite3');
    new Database(':memory:').close();
    return true;
  } catch {
    return false;
  }
}
if (!loads()) {
  process.stderr.write('installing the benchmark dependencies (better-sqlite3 builds from source; about 2 minutes)...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (!loads()) throw new Error('better-sqlite3 does not load after `npm ci` in bench/');
}
