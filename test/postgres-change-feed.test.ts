/**
 * The PostgreSQL change feed on a real server: notifications of the store's schema reach the
 * subscribers of their session and of every session over one shared connection; a dropped
 * connection is reported, re-opened and followed by a resync; closing ends everything.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskIoError, type TaskError } from '../src/index.js';
import { CHANGE_CHANNEL, PostgresChangeFeed } from '../src/store/postgres/change-feed.js';
import type { ChangeFeedHandlers } from '../src/store/task-store.js';
import { testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';

const pools: pg.Pool[] = [];
const feeds: PostgresChangeFeed[] = [];

afterEach(async () => {
  for (const feed of feeds.splice(0)) await feed.close();
  for (const pool of pools.splice(0)) await pool.end();
});

/** A pool whose connections carry `name` as application_name, so a test can find them on the server. */
function namedPool(name: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: testDatabaseUrl(), application_name: name, max });
  pool.on('error', () => undefined);
  pools.push(pool);
  return pool;
}

function feedOn(pool: pg.Pool, schema: string): PostgresChangeFeed {
  const feed = new PostgresChangeFeed({ pool, schema, timeoutMs: 10_000, where: `test#${schema}`, minBackoffMs: 10, maxBackoffMs: 200 });
  feeds.push(feed);
  return feed;
}

/** Handlers that record every call, with a way to wait for the next call of a kind. */
function recorder(): ChangeFeedHandlers & { calls: string[]; errors: TaskError[]; next(kind: string): Promise<void> } {
  const calls: string[] = [];
  const errors: TaskError[] = [];
  const waiting: { kind: string; resolve: () => void }[] = [];
  const record = (call: string): void => {
    calls.push(call);
    for (const w of waiting.splice(0)) {
      if (call.startsWith(w.kind)) w.resolve();
      else waiting.push(w);
    }
  };
  return {
    calls,
    errors,
    onChange: (sessionId) => record(`change:${sessionId}`),
    onResync: () => record('resync'),
    onError: (error) => {
      errors.push(error);
      record('error');
    },
    next: (kind) => new Promise<void>((resolve) => waiting.push({ kind, resolve })),
  };
}

async function notify(payload: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload]);
  } finally {
    await client.end();
  }
}

/** The server pids of the connections named `name` that are listening. */
async function listeners(name: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'", [name]);
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

async function terminate(pids: number[]): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
  } finally {
    await client.end();
  }
}

describe('PostgresChangeFeed', () => {
  it("hands each commit announcement of its schema to that session's and to every-session subscribers, over one connection", async () => {
    const schema = uniqueSchema('feed');
    const name = uniqueSchema('app');
    const pool = namedPool(name);
    const feed = feedOn(pool, schema);
    const one = recorder();
    const all = recorder();
    const stopOne = await feed.subscribe('s1', one);
    const stopAll = await feed.subscribe(null, all);
    expect(feed.listening).toBe(true);
    expect(pool.totalCount).toBe(1);
    expect(await listeners(name)).toHaveLength(1);

    // Other schemas, other sessions and malformed payloads are not this subscriber's business.
    await notify(JSON.stringify([uniqueSchema('other'), 's1', '7']));
    await notify('not json');
    await notify(JSON.stringify({ schema, session: 's1' }));
    await notify(JSON.stringify([schema, 's2', '3']));
    const seen = one.next('change');
    await notify(JSON.stringify([schema, 's1', '4']));
    await seen;
    expect(one.calls).toEqual(['change:s1']);
    expect(all.calls).toEqual(['change:s2', 'change:s1']);

    // The connection is shared and counted: it stays while one subscriber is left, goes with the last.
    await stopOne();
    expect(feed.listening).toBe(true);
    await stopAll();
    expect(feed.listening).toBe(false);
    expect(pool.totalCount).toBe(0);
  });

  it('reports a dropped connection, listens again and asks every subscriber to resync', async () => {
    const schema = uniqueSchema('feed');
    const name = uniqueSchema('app');
    const feed = feedOn(namedPool(name), schema);
    const handlers = recorder();
    await feed.subscribe('s1', handlers);
    const [pid] = await listeners(name);
    expect(pid).toBeTypeOf('number');

    const lost = handlers.next('error');
    const back = handlers.next('resync');
    await terminate([pid as number]);
    await lost;
    await back;
    expect(handlers.errors[0]).toBeInstanceOf(TaskIoError);
    expect(handlers.errors[0]?.message).toContain(`test#${schema}`);
    const [again] = await listeners(name);
    expect(again).not.toBe(pid);

    const seen = handlers.next('change');
    await notify(JSON.stringify([schema, 's1', '9']));
    await seen;
    expect(handlers.calls).toEqual(['error', 'resync', 'change:s1']);
  });

  it('resolves a subscription made while the connection is down, and resyncs it once back', async () => {
    const schema = uniqueSchema('feed');
    const name = uniqueSchema('app');
    // One connection in the pool: holding it keeps the feed from listening again.
    const pool = namedPool(name, 1);
    const feed = feedOn(pool, schema);
    let held: Promise<pg.PoolClient> | null = null;
    const first = recorder();
    const lost = first.next('error');
    await feed.subscribe(null, { ...first, onError: (error) => {
      held ??= pool.connect(); // the broken connection was given back: take its slot first
      first.onError(error);
    } });
    await terminate(await listeners(name));
    await lost;
    const client = await (held as unknown as Promise<pg.PoolClient>);
    expect(feed.listening).toBe(false);

    const late = recorder();
    await feed.subscribe('s1', late); // resolves although the feed cannot listen now
    const back = late.next('resync');
    client.release();
    await back;
    const seen = late.next('change');
    await notify(JSON.stringify([schema, 's1', '2']));
    await seen;
    expect(late.calls).toEqual(['resync', 'change:s1']);
    expect(first.calls).toEqual(['error', 'resync', 'change:s1']);
  });

  it('keeps retrying while the server refuses it, reporting each new reason once, and resyncs when let in', async () => {
    const role = uniqueSchema('feed_role');
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'feed-secret'`);
      const url = new URL(testDatabaseUrl());
      url.username = role;
      url.password = 'feed-secret';
      const pool = new pg.Pool({ connectionString: url.href, application_name: role });
      pool.on('error', () => undefined);
      pools.push(pool);
      const feed = feedOn(pool, uniqueSchema('feed'));
      const handlers = recorder();
      await feed.subscribe(null, handlers);

      // Logins refused from now on (the listening connection itself is not affected), then it is cut.
      await admin.query(`ALTER ROLE ${role} NOLOGIN`);
      const refused = new Promise<void>((resolve) => {
        const check = (): void => {
          if (handlers.errors.some((e) => /not permitted to log in/.test(e.message))) resolve();
          else void handlers.next('error').then(check);
        };
        check();
      });
      await terminate(await listeners(role));
      await refused;
      expect(feed.listening).toBe(false);
      expect(handlers.calls).not.toContain('resync');

      const back = handlers.next('resync');
      await admin.query(`ALTER ROLE ${role} LOGIN`);
      await back;
      expect(feed.listening).toBe(true);
      // The lost connection, then the refusal: each reported once, however many attempts failed.
      expect(handlers.errors.map((e) => e.message)).toEqual([
        expect.stringContaining('lost the change feed'),
        expect.stringContaining('not permitted to log in'),
      ]);
      await feed.close();
    } finally {
      for (const pool of pools.splice(0)) await pool.end();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

  it('closes with its store: the connection goes, later subscriptions fail', async () => {
    const pool = namedPool(uniqueSchema('app'));
    const feed = feedOn(pool, uniqueSchema('feed'));
    const unsubscribe = await feed.subscribe(null, recorder());
    await feed.close();
    expect(pool.totalCount).toBe(0);
    await unsubscribe(); // harmless after close
    await expect(feed.subscribe(null, recorder())).rejects.toThrow(TaskIoError);
  });

  it('fails a subscription with a TaskIoError naming the store when the server cannot be reached', async () => {
    const url = new URL(testDatabaseUrl());
    url.port = '1'; // nothing listens there
    const pool = new pg.Pool({ connectionString: url.href });
    pool.on('error', () => undefined);
    pools.push(pool);
    const feed = feedOn(pool, 'unreachable');
    await expect(feed.subscribe(null, recorder())).rejects.toThrow(/test#unreachable/);
    expect(feed.listening).toBe(false);
  });
});
