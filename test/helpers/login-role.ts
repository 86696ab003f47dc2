/**
 * A throw-away login role on the test server, so a test can play "the network between one host
 * and the server": find that host's connections (application_name = the role), cut them, and
 * refuse its new logins for a while — on a real server, without mocks.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach } from 'vitest';
import { testDatabaseUrl } from './postgres.js';

/** A role and what a test does with it. */
export interface LoginRole {
  /** The role's name, also the application_name of its connections. */
  readonly name: string;
  /** A URL logging in as the role, its connections named after it. */
  readonly url: string;
  /** How many of its connections are listening (last statement a LISTEN). */
  listening(): Promise<number>;
  /** Ends its listening connections from the server side (pg_terminate_backend); returns how many. */
  cutListeners(): Promise<number>;
  /** New logins refused (connections already open stay). */
  refuseLogins(): Promise<void>;
  /** New logins accepted again. */
  allowLogins(): Promise<void>;
}

const made: { name: string; admin: pg.Client }[] = [];

afterEach(async () => {
  for (const { name, admin } of made.splice(0)) {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [name]).catch(() => undefined);
    // What the role made (a store's schema) goes with it.
    await admin.query(`DROP OWNED BY ${name} CASCADE`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${name}`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
});

/** A new login role (superuser needed: the embedded test server's user is one), dropped after the test. */
export async function loginRole(): Promise<LoginRole> {
  const name = `gt_role_${process.pid}_${randomBytes(5).toString('hex')}`;
  const password = randomBytes(9).toString('hex');
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  admin.on('error', () => undefined);
  await admin.connect();
  made.push({ name, admin });
  await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  await admin.query(`GRANT CREATE ON DATABASE ${admin.escapeIdentifier(admin.database ?? 'postgres')} TO ${name}`);
  const url = new URL(testDatabaseUrl());
  url.username = name;
  url.password = password;
  url.searchParams.set('application_name', name);
  const listeners = "FROM pg_stat_activity WHERE usename = $1 AND query LIKE 'LISTEN%'";
  return {
    name,
    url: url.href,
    listening: async () => Number((await admin.query<{ n: string }>(`SELECT count(*) AS n ${listeners}`, [name])).rows[0]?.n),
    cutListeners: async () => (await admin.query(`SELECT pg_terminate_backend(pid) ${listeners}`, [name])).rowCount ?? 0,
    refuseLogins: async () => void (await admin.query(`ALTER ROLE ${name} NOLOGIN`)),
    allowLogins: async () => void (await admin.query(`ALTER ROLE ${name} LOGIN`)),
  };
}
