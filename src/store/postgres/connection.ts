/**
 * Talking to the server within a bound: every wait (for a pooled connection, a query, a row lock)
 * ends by a deadline, and what goes wrong becomes a TaskIoError naming the store location. A query
 * that overruns its deadline has its connection destroyed (the server then rolls back whatever that
 * connection had open), so no call hangs and no half-done transaction is reused. `pg` reports a
 * connection that dies while idle or checked out with an 'error' event; the store listens on the
 * pool and on every client it holds, so such an event never crashes the process.
 */
import pg from 'pg';
import { TaskIoError } from '../../errors.js';

/** A pooled connection held by one store call. */
export interface Lease {
  readonly client: pg.PoolClient;
  /** Set when the connection must not go back to the pool (a timeout or an error mid-transaction). */
  broken: boolean;
}

function noop(): void {
  // an 'error' event: the call in flight (if any) fails on its own
}

/** What a connection string or pool points at, without user or password: `postgres://host:port/db`. */
export function serverLocation(connection: pg.PoolConfig): string {
  // The client parses the connection string and the PG* environment defaults; no connection is made.
  const probe = new pg.Client(connection);
  const host = probe.host.includes(':') && !probe.host.startsWith('/') ? `[${probe.host}]` : probe.host;
  return `postgres://${host}:${probe.port}/${probe.database ?? probe.user ?? ''}`;
}

/** A TaskIoError for `action` on `where` failing with `error`. */
export function ioError(action: string, where: string, error: unknown): TaskIoError {
  if (error instanceof TaskIoError) return error;
  const reason = error instanceof Error ? error.message || String((error as { code?: unknown }).code ?? error.name) : String(error);
  return new TaskIoError(`cannot ${action} '${where}': ${reason}`, { cause: error, path: where });
}

function timeoutError(action: string, where: string, timeoutMs: number): TaskIoError {
  return new TaskIoError(`cannot ${action} '${where}': the PostgreSQL server did not answer within ${timeoutMs} ms`, { path: where });
}

/** `promise`, or a timeout TaskIoError once `deadline` (ms since the epoch) passes. */
async function within<T>(promise: Promise<T>, deadline: number, onTimeout: () => TaskIoError): Promise<T> {
  const left = deadline - Date.now();
  if (left <= 0) {
    promise.catch(noop);
    throw onTimeout();
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), left);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A connection from `pool` by `deadline`. One that arrives after the deadline goes straight back.
 * No round trip when the pool has an idle connection.
 */
export async function acquire(pool: pg.Pool, deadline: number, action: string, where: string, timeoutMs: number): Promise<Lease> {
  const pending = pool.connect();
  let client: pg.PoolClient;
  try {
    client = await within(pending, deadline, () => timeoutError(action, where, timeoutMs));
  } catch (error) {
    pending.then((late) => late.release(), noop);
    throw ioError(action, where, error);
  }
  client.on('error', noop);
  return { client, broken: false };
}

/** Gives the connection back to the pool, or destroys it when it is broken. */
export function release(lease: Lease): void {
  lease.client.removeListener('error', noop);
  // pg keeps listening for 'error' on a destroyed client until its socket is closed.
  if (lease.broken) lease.client.on('error', noop);
  try {
    lease.client.release(lease.broken ? true : undefined);
  } catch {
    // released twice after a failure: nothing more to give back
  }
}

/**
 * Runs one statement by `deadline` (one round trip). On a timeout or a lost connection the lease is
 * marked broken; any failure is a TaskIoError for `action` on `where`.
 */
export async function run<R extends pg.QueryResultRow>(
  lease: Lease,
  text: string,
  values: unknown[] | undefined,
  deadline: number,
  action: string,
  where: string,
  timeoutMs: number,
): Promise<pg.QueryResult<R>> {
  let pending: Promise<pg.QueryResult<R>> | undefined;
  try {
    pending = lease.client.query<R>(values === undefined ? text : { text, values });
    return await within(pending, deadline, () => timeoutError(action, where, timeoutMs));
  } catch (error) {
    pending?.catch(noop);
    // Anything but a plain SQL error leaves the connection in an unknown state: never reuse it.
    if (!(error instanceof pg.DatabaseError)) lease.broken = true;
    throw ioError(action, where, error);
  }
}
