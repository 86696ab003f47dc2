/**
 * What is particular to the PostgreSQL store (the shared behaviour suites run on it through
 * test/helpers/stores.ts): byte-exact moves between the stores, rows written per change, reads
 * that fetch only what changed, the lock, stale writes, timeouts, notifications, hostile input and
 * the tables made on first use. Everything runs against the real server of test/global-setup.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { FileTaskStore, steppingClock, TaskIoError, TaskManager, type JsonValue, type Task } from '../src/index.js';
import { MAX_DOCUMENT_DEPTH } from '../src/json/depth.js';
import { decodeTaskList, encodeTaskList } from '../src/store/codec.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { acquire, release, runBatch } from '../src/store/postgres/connection.js';
import { cleanTempDirsAfterEach, counterIds, tempDir } from './helpers/env.js';
import { applyOperation, sequenceArb } from './helpers/operations.js';
import { dropSchema, postgresStore, queryTest, testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';
import { writeList } from './helpers/stores.js';

cleanTempDirsAfterEach();

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const clock = (): ReturnType<typeof steppingClock> => steppingClock('2025-01-01T00:00:00Z', 1000n);

function manager(store: PostgresTaskStore): TaskManager {
  return new TaskManager(tempDir(), { store, clock: clock(), newId: counterIds() });
}

async function taskRows(schema: string, session: string): Promise<{ position: string; body: string | null; changed_version: string; status: string | null }[]> {
  return queryTest(`SELECT position::text, body, changed_version::text, status FROM ${pg.escapeIdentifier(schema)}.tasks WHERE session_id = $1 ORDER BY position`, [session]);
}

/**
 * A pool whose connections count the statements they send: one statement is one round trip
 * (`pg` sends nothing else on a connection it already holds).
 */
function countingPool(): { pool: pg.Pool; statements: string[] } {
  const pool = new pg.Pool({ connectionString: testDatabaseUrl() });
  const statements: string[] = [];
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      statements.push(typeof first === 'string' ? first : (first as { text: string }).text);
      return query(...args);
    };
  });
  return { pool, statements };
}

describe('byte-exact moves between the file store and PostgreSQL', () => {
  const fixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

  it.each(fixtures)('Rust fixture %s: file → PostgreSQL → file gives the bytes the file store writes', async (name) => {
    const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
    const session = name.slice(0, -'.json'.length);
    // What the file store writes for this list (its own read-modify-write of the Rust file).
    const fileDir = tempDir();
    fs.mkdirSync(path.join(fileDir, '.gestura', 'tasks'), { recursive: true });
    fs.writeFileSync(path.join(fileDir, '.gestura', 'tasks', `${session}.json`), text);
    const fileStore = new FileTaskStore(fileDir);
    const fromFile = await fileStore.read(session, null);
    await writeList(fileStore, (fromFile as NonNullable<typeof fromFile>).list.clone());
    const expected = fs.readFileSync(fileStore.locate(session));

    const store = postgresStore();
    await writeList(store, decodeTaskList(text, name));
    const back = await postgresStore({ schema: store.schema }).read(session, null);
    const outDir = tempDir();
    const out = new FileTaskStore(outDir);
    await writeList(out, (back as NonNullable<typeof back>).list);
    expect(fs.readFileSync(out.locate(session))).toEqual(expected);
  });

  it('each task row holds exactly the text the file store prints for it', async () => {
    const store = postgresStore();
    const m = manager(store);
    const a = await m.createTask('s', 'quotes " and \\ backslashes', 'd');
    await m.updateTaskMetadata('s', a.id, { n: 1, nested: { k: [1, 'two'] } });
    await m.createTask('s', 'B', '', a.id);
    const file = encodeTaskList(await m.loadTaskList('s'));
    const rows = await taskRows(store.schema, 's');
    const pieces = rows.filter((r) => r.body !== null).map((r) => `    ${r.body}`);
    expect(file).toBe(`{\n  "session_id": "s",\n  "tasks": [\n${pieces.join(',\n')}\n  ]\n}`);
  });
});

describe('rows written per change', () => {
  it('a change rewrites only the rows of the tasks it changed; removed tasks leave tombstones', async () => {
    const store = postgresStore();
    const m = manager(store);
    const ids = await m.batch('s', (tx) => Array.from({ length: 50 }, (_, i) => tx.createTask(`t${i}`, '').id));
    const before = await taskRows(store.schema, 's');
    await m.updateTask('s', ids[10] as string, 'renamed');
    const after = await taskRows(store.schema, 's');
    const changed = after.filter((r, i) => r.changed_version !== before[i]?.changed_version);
    expect(changed).toHaveLength(1);
    expect(changed[0]?.body).toContain('"name": "renamed"');
    await m.deleteTask('s', ids[20] as string);
    const deleted = await taskRows(store.schema, 's');
    expect(deleted).toHaveLength(50);
    expect(deleted.filter((r) => r.body === null)).toHaveLength(1);
    expect((await m.listTasks('s')).map((t) => t.id)).toEqual(ids.filter((id) => id !== ids[20]));
  });

  it('status and parent are query columns', async () => {
    const store = postgresStore();
    const m = manager(store);
    const p = await m.createTask('s', 'P', '');
    const c = await m.createTask('s', 'C', '', p.id);
    await m.updateTaskStatus('s', c.id, 'InProgress');
    const rows = await queryTest<{ task_id: string; status: string; parent_id: string | null }>(
      `SELECT task_id, status, parent_id FROM ${pg.escapeIdentifier(store.schema)}.tasks WHERE session_id = $1 AND body IS NOT NULL ORDER BY position`,
      ['s'],
    );
    expect(rows).toEqual([
      { task_id: p.id, status: 'InProgress', parent_id: null },
      { task_id: c.id, status: 'InProgress', parent_id: p.id },
    ]);
  });
});

describe('round trips', () => {
  /** The first word of each statement of each round trip (a batch sends its statements joined by ';\n'). */
  const heads = (calls: string[]): string[][] => calls.map((c) => c.split(';\n').map((s) => s.trim().split(/[\s;(]+/)[0] as string));

  it('a read of an unchanged session is one round trip; a commit is two: BEGIN+lock+read, then write+COMMIT (after the plan setting)', async () => {
    const { pool, statements } = countingPool();
    try {
      const store = new PostgresTaskStore({ pool }, { schema: uniqueSchema() });
      const m = manager(store);
      const t = await m.createTask('s', 'A', '');
      statements.length = 0;
      await m.getTask('s', t.id);
      expect(statements).toHaveLength(1);
      statements.length = 0;
      await m.updateTask('s', t.id, 'B');
      expect(heads(statements)).toEqual([
        ['BEGIN', 'SELECT', 'INSERT', 'SELECT'],
        ['SELECT', 'WITH', 'COMMIT'],
      ]);
      // Another store commits: the rows it changed come back with the lock, no extra round trip.
      const other = await new TaskManager(tempDir(), { store: postgresStore({ schema: store.schema }), newId: counterIds('o-') }).createTask('s', 'other', '');
      statements.length = 0;
      await m.updateTask('s', t.id, 'C');
      expect(statements).toHaveLength(2);
      expect((await m.listTasks('s')).map((x) => [x.id, x.name])).toEqual([
        [t.id, 'C'],
        [other.id, 'other'],
      ]);
      // A commit that changes nothing rolls back.
      statements.length = 0;
      await m.batch('s', () => undefined);
      expect(heads(statements)).toEqual([['BEGIN', 'SELECT', 'INSERT', 'SELECT'], ['ROLLBACK']]);
      await dropSchema(store.schema);
    } finally {
      await pool.end();
    }
  });

  it('statements with parameters are prepared once per connection and reused by name', async () => {
    const schema = uniqueSchema();
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
    try {
      const m = manager(new PostgresTaskStore({ pool }, { schema }));
      const t = await m.createTask('s', 'A', '');
      for (let i = 0; i < 5; i++) await m.updateTask('s', t.id, `B${i}`);
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
        const names = rows.map((r) => r.name);
        expect(names.length).toBeGreaterThanOrEqual(5); // the idle limit, the lock, the read, the plan setting, the write
        expect(names.every((n) => /^gt_[A-Za-z0-9_-]{32}$/.test(n))).toBe(true);
      } finally {
        client.release();
      }
      // A second store on another schema, same connection: its own statements, no name clash.
      const other = manager(new PostgresTaskStore({ pool }, { schema: uniqueSchema() }));
      const u = await other.createTask('s', 'X', '');
      await other.updateTask('s', u.id, 'Y');
      expect((await other.getTask('s', u.id))?.name).toBe('Y');
      expect((await m.getTask('s', t.id))?.name).toBe('B4');
    } finally {
      await pool.end();
    }
  });
});

describe('readers that hold a version fetch only what changed, and stay exact', () => {
  it('two stores interleaving random operations on one session always see the same list', async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArb(30), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), async (ops, sides) => {
        const a = postgresStore();
        const managers = [manager(a), new TaskManager(tempDir(), { store: postgresStore({ schema: a.schema }), clock: clock(), newId: counterIds('b-') })];
        const exempt = [new Set<string>(), new Set<string>()];
        for (let i = 0; i < ops.length; i++) {
          const side = sides[i] ? 1 : 0;
          const op = ops[i] as Parameters<typeof applyOperation>[2];
          await applyOperation(managers[side] as TaskManager, 's', op, exempt[side] as Set<string>);
          const seen = await (managers[1 - side] as TaskManager).listTasks('s');
          expect(seen).toEqual(await (managers[side] as TaskManager).listTasks('s'));
        }
      }),
      { numRuns: 8 },
    );
  });

  it('a reader holding a version newer than the stored one (a restored backup) reads everything again', async () => {
    const store = postgresStore();
    const writer = manager(store);
    const reader = manager(postgresStore({ schema: store.schema }));
    const a = await writer.createTask('s', 'A', '');
    await writer.createTask('s', 'B', '');
    expect(await reader.listTasks('s')).toHaveLength(2);
    // What restoring a backup taken after the first commit does to the tables.
    const q = pg.escapeIdentifier(store.schema);
    await queryTest(`DELETE FROM ${q}.tasks WHERE session_id = $1 AND task_id <> $2`, ['s', a.id]);
    await queryTest(`UPDATE ${q}.sessions SET version = 1, task_count = 1 WHERE session_id = $1`, ['s']);
    expect((await reader.listTasks('s')).map((t) => t.name)).toEqual(['A']);
  });

  it('tombstones are purged, and a reader older than the purge reads everything again', async () => {
    const store = postgresStore();
    const writer = manager(store);
    const reader = manager(postgresStore({ schema: store.schema }));
    const ids = await writer.batch('s', (tx) => Array.from({ length: 100 }, (_, i) => tx.createTask(`t${i}`, '').id));
    expect(await reader.listTasks('s')).toHaveLength(100);
    for (let i = 0; i < 90; i++) {
      await writer.deleteTask('s', ids[i] as string);
      if (i % 7 === 0) expect((await reader.listTasks('s')).map((t) => t.id)).toEqual(ids.slice(i + 1));
    }
    const rows = await taskRows(store.schema, 's');
    expect(rows.filter((r) => r.body === null).length).toBeLessThan(90);
    expect((await reader.listTasks('s')).map((t) => t.id)).toEqual(ids.slice(90));
    expect((await manager(postgresStore({ schema: store.schema })).listTasks('s')).map((t) => t.id)).toEqual(ids.slice(90));
  });
});

describe('the session lock and stale writes', () => {
  it('a write without the lock, or over a basis that is no longer stored, is refused and writes nothing', async () => {
    const store = postgresStore();
    const m = manager(store);
    await m.createTask('s', 'A', '');
    const old = await store.read('s', null);
    await m.createTask('s', 'B', '');
    const list = (old as NonNullable<typeof old>).list.clone();
    await expect(store.write('s', list, old)).rejects.toThrow(/without holding its lock/);
    const error = await store.withLock('s', () => store.write('s', list, old)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskIoError);
    expect((error as TaskIoError).message).toBe(`I/O error: '${store.locate('s')}' changed during this commit; nothing was written`);
    expect((await m.listTasks('s')).map((t) => t.name)).toEqual(['A', 'B']);
  });

  it('a commit waits for a lock held by another connection, and fails within timeoutMs when it is not released', async () => {
    const store = postgresStore({ timeoutMs: 400 });
    const m = manager(store);
    await m.createTask('s', 'A', '');
    const holder = new pg.Client({ connectionString: testDatabaseUrl() });
    holder.on('error', () => undefined);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ${pg.escapeIdentifier(store.schema)}.sessions WHERE session_id = $1 FOR UPDATE`, ['s']);
      const error = await m.createTask('s', 'B', '').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskIoError);
      expect((error as TaskIoError).message).toContain(`'${store.locate('s')}'`);
      expect((error as TaskIoError).message).toContain('did not answer within 400 ms');
      const waiting = m.createTask('s', 'C', '');
      await new Promise((r) => setTimeout(r, 50));
      await holder.query('COMMIT');
      await waiting;
      expect((await m.listTasks('s')).map((t) => t.name)).toEqual(['A', 'C']);
    } finally {
      await holder.end();
    }
  });

  it('a live holder keeps the lock past the idle limit (half the timeout) while its callback runs', async () => {
    const store = postgresStore({ timeoutMs: 3000 });
    const m = manager(store);
    await m.batch('s', async (tx) => {
      tx.createTask('slow', '');
      await new Promise((r) => setTimeout(r, 2500));
    });
    expect((await m.listTasks('s')).map((t) => t.name)).toEqual(['slow']);
  });

  it('a server that cannot be reached fails every call within timeoutMs with a TaskIoError naming the store', async () => {
    // A port nothing listens on: connecting is refused at once or times out, never hangs.
    const store = new PostgresTaskStore({ connectionString: 'postgres://nobody:secret@127.0.0.1:9/nowhere' }, { timeoutMs: 300 });
    try {
      const m = new TaskManager(tempDir(), { store });
      for (const call of [m.listTasks('s'), m.createTask('s', 'A', ''), m.listSessions()]) {
        const error = await call.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TaskIoError);
        expect((error as TaskIoError).message).toContain('postgres://127.0.0.1:9/nowhere#gestura_tasks');
        expect((error as TaskIoError).message).not.toContain('secret');
      }
      expect(m.sessionPath('s')).toBe('postgres://127.0.0.1:9/nowhere#gestura_tasks/s');
    } finally {
      await store.close();
    }
  });
});

describe('notifications', () => {
  it('every commit notifies [schema, session, version] when it lands, and a failed commit notifies nothing', async () => {
    const store = postgresStore();
    const m = manager(store);
    const listener = new pg.Client({ connectionString: testDatabaseUrl() });
    listener.on('error', () => undefined);
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (n) => {
      if (n.channel === 'gestura_tasks_changes') payloads.push(n.payload ?? '');
    });
    try {
      await listener.query('LISTEN gestura_tasks_changes');
      const t = await m.createTask('s', 'A', '');
      await m.batch('s', () => {
        throw new Error('nothing');
      }).catch(() => undefined);
      await m.updateTask('s', t.id, 'B');
      // A round trip on the listening connection delivers what is pending.
      await listener.query('SELECT 1');
      const ours = payloads.map((p) => JSON.parse(p) as [string, string, string]).filter(([schema]) => schema === store.schema);
      expect(ours).toEqual([
        [store.schema, 's', '1'],
        [store.schema, 's', '2'],
      ]);
    } finally {
      await listener.end();
    }
  });
});

describe('hostile input is kept exactly', () => {
  it('a session id at the limit, NUL and quotes in text, SQL-looking text and 5 MB of metadata round-trip', async () => {
    const store = postgresStore();
    const m = manager(store);
    const session = `a${'b'.repeat(126)}z`;
    const name = `nul\u0000 "quoted" 'single' \\ back'); DROP TABLE tasks; --`;
    const big = { blob: 'x'.repeat(5 * 1024 * 1024), nul: '\u0000', emoji: '🚀' };
    const t = await m.createTask(session, name, '\u0000');
    await m.updateTaskMetadata(session, t.id, big);
    await m.setCurrentTaskId(session, t.id);
    const fresh = manager(postgresStore({ schema: store.schema }));
    const got = (await fresh.getTask(session, t.id)) as Task;
    expect(got.name).toBe(name);
    expect(got.description).toBe('\u0000');
    expect(got.metadata).toEqual(big);
    // And as bytes: what the file store would write for the same list.
    const fileDir = tempDir();
    const file = new TaskManager(fileDir, { clock: clock(), newId: counterIds() });
    const ft = await file.createTask(session, name, '\u0000');
    await file.updateTaskMetadata(session, ft.id, big);
    await file.setCurrentTaskId(session, ft.id);
    expect(encodeTaskList(await fresh.loadTaskList(session))).toBe(fs.readFileSync(file.sessionPath(session), 'utf8'));
    expect(await fresh.listSessions()).toEqual([session]);
  });

  it('a list nested to the depth limit (127 levels) is stored and read back byte for byte; one level more is refused', async () => {
    const metadata = `${'{"k":'.repeat(MAX_DOCUMENT_DEPTH - 3)}1.0${'}'.repeat(MAX_DOCUMENT_DEPTH - 3)}`;
    const fileManager = new TaskManager(tempDir(), { clock: clock(), newId: counterIds() });
    const t = await fileManager.createTask('s', 'deep', '');
    const file = fileManager.sessionPath('s');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"metadata": null', `"metadata": ${metadata}`));
    await fileManager.createTask('s', 'other', '');
    const expected = fs.readFileSync(file, 'utf8');
    const store = postgresStore();
    await writeList(store, decodeTaskList(expected, 'deep'));
    const back = await postgresStore({ schema: store.schema }).read('s', null);
    expect(encodeTaskList((back as NonNullable<typeof back>).list)).toBe(expected);
    const m = new TaskManager(tempDir(), { store: postgresStore({ schema: store.schema }), clock: clock(), newId: counterIds('p-') });
    const deeper = JSON.parse(`${'{"k":'.repeat(MAX_DOCUMENT_DEPTH - 2)}1${'}'.repeat(MAX_DOCUMENT_DEPTH - 2)}`) as JsonValue;
    expect(await m.updateTaskMetadata('s', t.id, deeper).catch((e: unknown) => e)).toMatchObject({ kind: 'InvalidInput' });
    expect(encodeTaskList(await m.loadTaskList('s'))).toBe(expected);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    for (const schema of ['', 'a-b', 'x"; DROP SCHEMA public; --', '1abc', 'a'.repeat(64)]) {
      expect(() => new PostgresTaskStore({ connectionString: testDatabaseUrl() }, { schema })).toThrow(/schema must be a plain SQL identifier/);
    }
  });
});

describe('tables made on first use', () => {
  it('many stores using a new schema at once all succeed, and the schema version is recorded once', async () => {
    const schema = uniqueSchema();
    const stores = Array.from({ length: 8 }, () => postgresStore({ schema }));
    const results = await Promise.all(stores.map((s, i) => manager(s).createTask(`s${i}`, 'A', '')));
    expect(results).toHaveLength(8);
    const rows = await queryTest<{ key: string; value: string }>(`SELECT key, value FROM ${pg.escapeIdentifier(schema)}.meta`);
    expect(rows).toEqual([{ key: 'schema_version', value: '1' }]);
    expect(await stores[0]?.listSessions()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7']);
  });

  it('refuses tables of a newer schema version', async () => {
    const store = postgresStore();
    await manager(store).createTask('s', 'A', '');
    await queryTest(`UPDATE ${pg.escapeIdentifier(store.schema)}.meta SET value = '99' WHERE key = 'schema_version'`);
    const error = await manager(postgresStore({ schema: store.schema })).listTasks('s').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskIoError);
    expect((error as TaskIoError).message).toMatch(/schema version 99, this release reads version 1 \(upgrade gestura-tasks\)/);
  });

  it('close() ends a pool the store made and leaves a given pool open', async () => {
    const pool = new pg.Pool({ connectionString: testDatabaseUrl() });
    const given = new PostgresTaskStore({ pool }, { schema: uniqueSchema() });
    await given.close();
    expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n).toBe(1);
    await pool.end();
    const own = postgresStore();
    await manager(own).createTask('s', 'A', '');
    await own.close();
    await expect(own.listSessions()).rejects.toBeInstanceOf(TaskIoError);
  });
});


describe('batches of statements (one round trip)', () => {
  it('a failing statement makes the server skip the rest of its batch: a COMMIT after a failed write never commits', async () => {
    const schema = uniqueSchema();
    await queryTest(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (n integer)`);
    const pool = new pg.Pool({ connectionString: testDatabaseUrl() });
    try {
      const deadline = Date.now() + 10_000;
      const lease = await acquire(pool, deadline, 'test', 'here', 10_000);
      const insert = `INSERT INTO ${schema}.t (n) VALUES ($1::integer)`;
      await runBatch(lease, [{ text: 'BEGIN' }, { text: insert, values: [1] }], deadline, 'test', 'here', 10_000);
      // 1/0 fails: the COMMIT behind it in the same batch is skipped, the transaction is left failed.
      const failed = runBatch(lease, [{ text: `SELECT 1 / $1::integer`, values: [0] }, { text: 'COMMIT' }], deadline, 'test', 'here', 10_000);
      await expect(failed).rejects.toThrow(TaskIoError);
      await expect(failed).rejects.toThrow(/division by zero/);
      const [rollback] = await runBatch(lease, [{ text: 'ROLLBACK' }], deadline, 'test', 'here', 10_000);
      expect(rollback?.command).toBe('ROLLBACK');
      release(lease);
      expect(await queryTest(`SELECT n FROM ${schema}.t`)).toEqual([]);
      // A value that cannot be sent fails its batch before anything is written, and the pool goes on.
      const other = await acquire(pool, deadline, 'test', 'here', 10_000);
      await expect(runBatch(other, [{ text: 'SELECT $1::text', values: [Symbol('x')] }], deadline, 'test', 'here', 10_000)).rejects.toThrow(TaskIoError);
      release(other);
      const again = await acquire(pool, deadline, 'test', 'here', 10_000);
      const [row] = await runBatch(again, [{ text: 'SELECT $1::text AS v', values: ['ok'] }], deadline, 'test', 'here', 10_000);
      expect(row?.rows).toEqual([{ v: 'ok' }]);
      release(again);
    } finally {
      await pool.end();
      await dropSchema(schema);
    }
  });
});

describe('pg pipeline mode', () => {
  it('a store on a pool of pipelining clients commits and reads as on any other pool', async () => {
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), pipeline: true } as pg.PoolConfig);
    const schema = uniqueSchema();
    const otherStore = new PostgresTaskStore({ connectionString: testDatabaseUrl() }, { schema });
    try {
      const m = manager(new PostgresTaskStore({ pool }, { schema }));
      const other = new TaskManager(tempDir(), { store: otherStore, clock: clock(), newId: counterIds('o-') });
      const a = await m.createTask('s', 'A', '');
      const b = await other.createTask('s', 'B', '');
      await m.updateTask('s', a.id, 'A2');
      await Promise.all([m.updateTaskStatus('s', b.id, 'InProgress'), other.updateTask('s', a.id, 'A3')]);
      expect((await m.listTasks('s')).map((t) => [t.name, t.status])).toEqual([
        ['A3', 'NotStarted'],
        ['B', 'InProgress'],
      ]);
      await m.updateTaskMetadata('s', a.id, { x: 'y' });
      expect((await other.getTask('s', a.id))?.metadata).toEqual({ x: 'y' });
    } finally {
      await otherStore.close();
      await pool.end();
    }
  });
});
