/**
 * The PostgreSQL change feed on a real server: notifications of the store's schema reach the
 * subscribers of their session and of every session over one shared connection; a dropped
 * connection is reported, re-opened (retrying while the server refuses it) and followed by a
 * resync; closing ends everything.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskIoError, type TaskError } from '../src/index.js';
import { CHANGE_CHANNEL, PostgresChangeFeed } from '../src/store/postgres/change-feed.js';
import type { ChangeFeedHandlers } from '../src/store/task-store.js';
import { loginRole } from './helpers/login-role.js';
import { testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';

const feeds: PostgresChangeFeed[] = [];

afterEach(async () => {
  for (const feed of feeds.splice(0)) await feed.close();
});

/** A feed whose connections go to `url` (default: the test server, named `name`). */
function feedOn(schema: string, connection: { url?: string; name?: string } = {}): PostgresChangeFeed {
  const feed = new PostgresChangeFeed({
    newClient: () => new pg.Client({ connectionString: connection.url ?? testDatabaseUrl(), application_name: connection.name }),
    schema,
    timeoutMs: 10_000,
    where: `test#${schema}`,
    minBackoffMs: 10,
    maxBackoffMs: 200,
  });
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

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const notify = (payload: string): Promise<unknown> => admin((c) => c.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload]));

/** The server pids of the listening connections named `name`. */
const listeners = (name: string): Promise<number[]> =>
  admin(async (c) => (await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'", [name])).rows.map((r) => r.pid));

/** Resolves once `check` holds (the server ends a closed connection's backend shortly after). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('PostgresChangeFeed', () => {
  it("hands each commit announcement of its schema to that session's and to every-session subscribers, over one connection", async () => {
    const schema = uniqueSchema('feed');
    const name = uniqueSchema('app');
    const feed = feedOn(schema, { name });
    const one = recorder();
    const all = recorder();
    const stopOne = await feed.subscribe('s1', one);
    const stopAll = await feed.subscribe(null, all);
    expect(feed.listening).toBe(true);
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
    await eventually(async () => (await listeners(name)).length === 0);
  });

  it('reports a dropped connection, listens again and asks every subscriber to resync', async () => {
    const schema = uniqueSchema('feed');
    const name = uniqueSchema('app');
    const feed = feedOn(schema, { name });
    const handlers = recorder();
    await feed.subscribe('s1', handlers);
    const [pid] = await listeners(name);
    expect(pid).toBeTypeOf('number');

    const lost = handlers.next('error');
    const back = handlers.next('resync');
    await admin((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
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

  it('retries while the server refuses it; a subscription made meanwhile resolves at once; all resync once let in', async () => {
    const role = await loginRole();
    const schema = uniqueSchema('feed');
    const feed = feedOn(schema, { url: role.url });
    const first = recorder();
    await feed.subscribe(null, first);

    // New logins refused (the listening connection itself stays), then that connection is cut.
    await role.refuseLogins();
    const refused = new Promise<void>((resolve) => {
      const check = (): void => {
        if (first.errors.some((e) => /not permitted to log in/.test(e.message))) resolve();
        else void first.next('error').then(check);
      };
      check();
    });
    expect(await role.cutListeners()).toBe(1);
    await refused;
    expect(feed.listening).toBe(false);

    const late = recorder();
    await feed.subscribe('s1', late); // resolves although the feed cannot listen now
    expect(first.calls).not.toContain('resync');

    const back = Promise.all([first.next('resync'), late.next('resync')]);
    await role.allowLogins();
    await back;
    expect(feed.listening).toBe(true);
    // The loss, then the refusal: each reported once, however many attempts failed.
    expect(first.errors.map((e) => e.message)).toEqual([expect.stringContaining('lost the change feed'), expect.stringContaining('not permitted to log in')]);

    const seen = late.next('change');
    await notify(JSON.stringify([schema, 's1', '2']));
    await seen;
    expect(late.calls).toEqual(['resync', 'change:s1']);
  });

  it('closes with its store: the connection goes, later subscriptions fail', async () => {
    const name = uniqueSchema('app');
    const feed = feedOn(uniqueSchema('feed'), { name });
    const unsubscribe = await feed.subscribe(null, recorder());
    await feed.close();
    expect(feed.listening).toBe(false);
    await eventually(async () => (await listeners(name)).length === 0);
    await unsubscribe(); // harmless after close
    await expect(feed.subscribe(null, recorder())).rejects.toThrow(TaskIoError);
  });

  it('fails a subscription with a TaskIoError naming the store when the server cannot be reached', async () => {
    const url = new URL(testDatabaseUrl());
    url.port = '1'; // nothing listens there
    const feed = feedOn('unreachable', { url: url.href });
    await expect(feed.subscribe(null, recorder())).rejects.toThrow(/test#unreachable/);
    expect(feed.listening).toBe(false);
  });
});
