/**
 * The PostgreSQL server of the tests (started by test/global-setup.ts, or GESTURA_TEST_DATABASE_URL)
 * and stores in fresh schemas: tests never share tables, so they can run in any order and in
 * parallel against the one server.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, inject } from 'vitest';
import { PostgresTaskStore, type PostgresTaskStoreOptions } from '../../src/store/postgres/index.js';

/** The URL of the test server (pass it to child processes as GESTURA_TEST_DATABASE_URL). */
export function testDatabaseUrl(): string {
  const url = inject('databaseUrl');
  if (typeof url !== 'string' || url === '') throw new Error('no test database: test/global-setup.ts did not provide databaseUrl');
  return url;
}

/** A schema name no other test uses (lower case letters, digits and `_`). */
export function uniqueSchema(prefix = 'gt'): string {
  return `${prefix}_${process.pid}_${randomBytes(6).toString('hex')}`;
}

const open: { store: PostgresTaskStore; schema: string }[] = [];

afterEach(async () => {
  for (const { store, schema } of open.splice(0)) {
    await store.close().catch(() => undefined);
    await dropSchema(schema);
  }
});

/** Drops `schema` (and everything in it) on the test server. */
export async function dropSchema(schema: string): Promise<void> {
  await queryTest(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
}

/** Runs one statement on the test server (its own connection) and returns the rows. */
export async function queryTest<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A store on the test server in a fresh schema (unless `options.schema` names one), closed and its
 * schema dropped after the test.
 */
export function postgresStore(options: PostgresTaskStoreOptions = {}): PostgresTaskStore {
  const schema = options.schema ?? uniqueSchema();
  const store = new PostgresTaskStore({ connectionString: testDatabaseUrl() }, { ...options, schema });
  open.push({ store, schema });
  return store;
}
