/**
 * Making sure the store's tables are there and of the version this code reads, once per store: one
 * statement when they are, else their creation (schema.ts) in one transaction under an advisory
 * lock on the schema name, so that many processes using a new schema at once take turns (the later
 * ones find everything there).
 */
import pg from 'pg';
import { TaskIoError } from '../../errors.js';
import { acquire, release, run, type Lease } from './connection.js';
import { createTablesSql, SCHEMA_VERSION, schemaLockKey } from './schema.js';
import type { Statements } from './statements.js';

/** What {@link prepareTables} works on. */
export interface TablesTarget {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** The schema, quoted as an identifier. */
  readonly quoted: string;
  readonly sql: Statements;
  /** `postgres://host:port/db#schema`, for messages. */
  readonly identity: string;
  readonly timeoutMs: number;
}

interface Probe {
  encoding: string;
  version: string | null;
}

/** The SQLSTATE of a failure from run(), when the server gave one. */
function sqlState(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof pg.DatabaseError ? cause.code : undefined;
}

/**
 * Checks (and when missing, creates) the tables of `target`: a TaskIoError naming the store when
 * the database is not UTF8 or the tables have another schema version.
 */
export async function prepareTables(target: TablesTarget, deadline: number, where: string): Promise<void> {
  const lease = await acquire(target.pool, deadline, 'open', where, target.timeoutMs);
  try {
    let found: Probe | undefined;
    try {
      found = (await run<Probe>(lease, target.sql.probe, undefined, deadline, 'open', where, target.timeoutMs)).rows[0];
    } catch (error) {
      const code = sqlState(error);
      if (code !== '42P01' && code !== '3F000') throw error; // anything but "no such table/schema"
    }
    if (found === undefined || found.version === null) found = await createTables(target, lease, deadline, where);
    if (found.encoding !== 'UTF8') {
      throw new TaskIoError(`cannot use '${target.identity}': the database encoding is ${found.encoding}, the store needs UTF8`, { path: where });
    }
    const version = Number(found.version);
    if (version !== SCHEMA_VERSION) {
      throw new TaskIoError(
        `cannot use '${target.identity}': its tables have schema version ${String(found.version)}, this release reads version ${SCHEMA_VERSION}` +
          (version > SCHEMA_VERSION ? ' (upgrade gestura-tasks)' : ''),
        { path: where },
      );
    }
  } catch (error) {
    lease.broken = true;
    throw error;
  } finally {
    release(lease);
  }
}

async function createTables(target: TablesTarget, lease: Lease, deadline: number, where: string): Promise<Probe> {
  const action = 'create the tables of';
  const step = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => run<R>(lease, text, values, deadline, action, where, target.timeoutMs);
  for (let attempt = 1; ; attempt++) {
    try {
      await step('BEGIN');
      await step('SELECT pg_advisory_xact_lock($1::bigint)', [schemaLockKey(target.schema)]);
      await step(createTablesSql(target.quoted));
      await step(target.sql.markVersion, [String(SCHEMA_VERSION)]);
      const found = (await step<Probe>(target.sql.probe)).rows[0];
      await step('COMMIT');
      return found ?? { encoding: 'UTF8', version: null };
    } catch (error) {
      await step('ROLLBACK').catch(() => undefined);
      // Someone outside this library's lock made the same object at the same moment: once more.
      const code = sqlState(error);
      if (attempt < 3 && !lease.broken && (code === '23505' || code === '42P06' || code === '42P07')) continue;
      throw error;
    }
  }
}
