/**
 * Talking to the server within a bound: every wait (for a pooled connection, a query, a row lock)
 * ends by a deadline, and what goes wrong becomes a TaskIoError naming the store location. A query
 * that overruns its deadline has its connection destroyed (the server then rolls back whatever that
 * connection had open), so no call hangs and no half-done transaction is reused. `pg` reports a
 * connection that dies while idle or checked out with an 'error' event; the store listens on the
 * pool and on every client it holds, so such an event never crashes the process.
 */
import { createHash } from 'node:crypto';
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

/** Statement names by text (the texts are the few of statements.ts per schema). */
const names = new Map<string, string>();

/**
 * The name a statement with parameters is prepared under on each connection: `gt_` and a hash of
 * its whole text (the schema name is part of the text, so stores on different schemas sharing a
 * pool never share a name, and one name always means one text).
 */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `gt_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
    if (names.size >= 1024) names.clear();
    names.set(text, name);
  }
  return name;
}

/** One statement of a {@link runBatch}: `values` undefined sends the text unprepared. */
export interface Step {
  readonly text: string;
  readonly values?: unknown[];
}

/** The query config of `step`: statements with parameters are prepared once per connection, by name. */
function queryConfig(step: Step): string | pg.QueryConfig {
  return step.values === undefined ? step.text : { name: statementName(step.text), text: step.text, values: step.values };
}

/**
 * Runs one statement by `deadline` (one round trip). A statement with parameters is prepared (by
 * name, once per pooled connection) and later only bound and executed: the server skips parsing
 * and planning it again. On a timeout or a lost connection the lease is marked broken; any
 * failure is a TaskIoError for `action` on `where`.
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
    pending = lease.client.query<R>(queryConfig({ text, values }) as pg.QueryConfig);
    return await within(pending, deadline, () => timeoutError(action, where, timeoutMs));
  } catch (error) {
    pending?.catch(noop);
    // Anything but a plain SQL error leaves the connection in an unknown state: never reuse it.
    if (!(error instanceof pg.DatabaseError)) lease.broken = true;
    throw ioError(action, where, error);
  }
}

/** The parts of pg's connection a batch writes to (the ones pg's own queries use). */
interface WireConnection {
  readonly stream: { cork?: () => void; uncork?: () => void };
  /** Named statements this connection has prepared (pg's own record, shared with its queries). */
  readonly parsedStatements: Record<string, string | undefined>;
  parse(config: { text: string; name: string; types: never[] }): void;
  bind(config: { portal: string; statement: string; values: unknown[]; valueMapper: (value: unknown) => unknown }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string; rows: number }): void;
  sync(): void;
}

/** A bound value as pg sends it (text form), for the values this store binds. */
function wireValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return arrayLiteral(value);
  throw new TypeError(`cannot bind a value of type ${typeof value}`);
}

/** A one-dimensional PostgreSQL array literal: every element quoted, NULL unquoted. */
function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = wireValue(values[i]);
    out += v === null ? 'NULL' : `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  }
  return `${out}}`;
}

type Results = pg.QueryResult[];
const QueryBase = pg.Query as unknown as new (config: { text: string }) => {
  callback?: (error: Error | null, results?: pg.QueryResult | pg.QueryResult[]) => void;
  submit(connection: unknown): Error | null;
};

/**
 * Several statements written to the server at once and answered together: Parse (first use on
 * this connection only), Bind, Describe and Execute for each, then one Sync. The server runs them in
 * order, each with its own snapshot (as if sent one by one), and on an error skips the rest up to the
 * Sync. pg's Query collects one result per statement.
 */
class Batch extends QueryBase {
  readonly #steps: readonly Step[];
  /** Names this batch asks the server to prepare (recorded on the connection once it succeeds). */
  readonly preparing: string[] = [];
  readonly #texts: string[] = [];
  #connection: WireConnection | undefined;

  constructor(steps: readonly Step[], done: (error: Error | null, results?: pg.QueryResult | pg.QueryResult[]) => void) {
    super({ text: steps.map((s) => s.text).join(';\n') });
    this.#steps = steps;
    this.callback = (error, results) => {
      if (error === null && this.#connection !== undefined) {
        for (const [i, name] of this.preparing.entries()) this.#connection.parsedStatements[name] = this.#texts[i];
      }
      done(error, results);
    };
  }

  override submit(connection: unknown): Error | null {
    const c = connection as WireConnection;
    this.#connection = c;
    // Every value in its wire form before anything is written: a value that cannot be sent fails
    // the batch (pg reports the returned error) and leaves the connection as it was.
    let wire: (string | null)[][];
    try {
      wire = this.#steps.map((step) => (step.values ?? []).map(wireValue));
    } catch (error) {
      return error as Error;
    }
    c.stream.cork?.();
    try {
      for (const [i, step] of this.#steps.entries()) {
        let statement = '';
        if (step.values !== undefined) {
          statement = statementName(step.text);
          if (c.parsedStatements[statement] === undefined && !this.preparing.includes(statement)) {
            c.parse({ text: step.text, name: statement, types: [] });
            this.preparing.push(statement);
            this.#texts.push(step.text);
          }
        } else {
          c.parse({ text: step.text, name: '', types: [] });
        }
        c.bind({ portal: '', statement, values: wire[i] as (string | null)[], valueMapper: (value) => value });
        c.describe({ type: 'P', name: '' });
        c.execute({ portal: '', rows: 0 });
      }
      c.sync();
    } finally {
      c.stream.uncork?.();
    }
    return null;
  }
}

/**
 * Runs `steps` in one round trip by `deadline` (see {@link Batch}): one result per step. A client
 * in pg's pipeline mode (which sends queued queries without waiting anyway) gets them as separate
 * queries instead. Failures as for {@link run}; a failed batch that was preparing statements also
 * marks the lease broken (which of them the server prepared is unknown).
 */
export async function runBatch(
  lease: Lease,
  steps: readonly Step[],
  deadline: number,
  action: string,
  where: string,
  timeoutMs: number,
): Promise<Results> {
  let pending: Promise<Results> | undefined;
  let batch: Batch | undefined;
  try {
    if ((lease.client as unknown as { pipeline?: boolean }).pipeline === true) {
      pending = Promise.all(steps.map((step) => lease.client.query(queryConfig(step) as pg.QueryConfig)));
    } else {
      pending = new Promise<Results>((resolve, reject) => {
        batch = new Batch(steps, (error, results) => {
          if (error !== null) reject(error);
          else resolve(Array.isArray(results) ? results : results === undefined ? [] : [results]);
        });
        lease.client.query(batch as unknown as pg.QueryConfig);
      });
    }
    const results = await within(pending, deadline, () => timeoutError(action, where, timeoutMs));
    if (results.length !== steps.length) throw new Error(`expected ${steps.length} results, got ${results.length}`);
    return results;
  } catch (error) {
    pending?.catch(noop);
    if (!(error instanceof pg.DatabaseError) || (batch?.preparing.length ?? 0) > 0) lease.broken = true;
    throw ioError(action, where, error);
  }
}
