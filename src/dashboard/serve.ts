/**
 * Starting the dashboard as a program does (`gestura-tasks serve`): check the host rules, listen,
 * print the address, run until stopped.
 */
import type { AddressInfo } from 'node:net';
import { InvalidInputError } from '../errors.js';
import type { TaskManager } from '../manager.js';
import { isLoopback } from './http.js';
import { createDashboardServer, type DashboardOptions, type DashboardServer } from './server.js';

/** Options of {@link serveDashboard}. */
export interface ServeOptions extends DashboardOptions {
  /** Address to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 4477. */
  readonly port?: number;
  /** Allow writes although the host is reachable from other machines. Default false. */
  readonly allowRemoteWrites?: boolean;
}

/** A listening dashboard. */
export interface ServeHandle {
  readonly server: DashboardServer;
  /** The page's address (with `?token=…` when writes are allowed). */
  readonly url: string;
  /** Stops the server and its watchers. */
  close(): Promise<void>;
}

/** Default port of `gestura-tasks serve`. */
export const DEFAULT_DASHBOARD_PORT = 4477;

/**
 * Why `options` must be refused before anything starts, or null. Writes on a host that other
 * machines can reach need `allowRemoteWrites` too: the token would travel in clear text.
 */
export function serveOptionsProblem(options: ServeOptions): string | null {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_DASHBOARD_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `port must be an integer from 0 to 65535, got ${String(port)}`;
  if (options.allowWrites === true && !isLoopback(host) && options.allowRemoteWrites !== true) {
    return `refusing --allow-writes on ${host}, which other machines can reach; add --allow-remote-writes to accept that`;
  }
  return null;
}

/** Starts a dashboard for `manager` and resolves once it listens. Refused options: InvalidInputError. */
export async function serveDashboard(manager: TaskManager, options: ServeOptions = {}): Promise<ServeHandle> {
  const problem = serveOptionsProblem(options);
  if (problem !== null) throw new InvalidInputError(problem);
  const host = options.host ?? '127.0.0.1';
  const server = createDashboardServer(manager, options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_DASHBOARD_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/${server.token === null ? '' : `?token=${server.token}`}`;
  return {
    server,
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The `serve` command: prints `Listening on <url>` as its first line, then serves until SIGINT or
 * SIGTERM. `where` names the store in the second line (default: the manager's base directory).
 */
export async function runServeCommand(manager: TaskManager, options: ServeOptions, out: (line: string) => void, where: string = manager.baseDir): Promise<void> {
  const handle = await serveDashboard(manager, { ...options, location: options.location ?? where });
  out(`Listening on ${handle.url}`);
  out(
    `Dashboard of the sessions in ${where} (${handle.server.token === null ? 'read-only' : 'writes allowed with the token'}). Ctrl-C to stop.`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await handle.close();
}
