/**
 * Hostile input on the PostgreSQL store is kept exactly (README "Many machines"): the same
 * operations with quotes, backslashes, NUL characters, SQL-looking text, session ids at the length
 * limit and 5 MB of metadata, run on a file store and on the PostgreSQL store, give the same
 * results and the same errors, and a store that never saw the data (its own pool, no cache) reads
 * back exactly the bytes the file store wrote. Schema names that are not plain identifiers are
 * refused before anything reaches the server.
 */
import fs from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { steppingClock, TaskError, TaskManager, type Task } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { encodeTaskList } from '../src/store/codec.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { postgresStore, testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';

cleanTempDirsAfterEach();

const HOSTILE = [
  `O'Brien's "quoted" task`,
  'back\\slash \\\\ \\n \\x00 \\u0000 \\',
  'nul\u0000in the middle\u0000',
  "'); DROP TABLE tasks; --",
  "x' OR '1'='1",
  '$1 $2 $$ $tag$ body $tag$ E\'\\047\' U&"\\0000"',
  '%s %d %% ? :name @p1 ${x}',
  '/* comment */ -- line\n; SELECT pg_sleep(10); COMMIT; ROLLBACK;',
  'ünïcödé 🚀 中文 \u202e rtl \u2028 sep \ufeff bom \uffff',
  'tab\tnewline\ncarriage\r\u0001\u001f\u007f',
];
/** Session ids at the limit (128 characters) and ordinary ones whose sort order differs by collation. */
const SESSIONS = ['q'.repeat(128), `${'Z_-.9'.repeat(25)}abc`, 'B-plain', 'a_plain', '_x', '9'];
const REFUSED_SESSIONS = ['q'.repeat(129), 'con', '../x', "a'b", 'a"b', '.hidden', 'a\u0000b', "'; DROP SCHEMA public; --"];
const FIVE_MB = 5 * 1024 * 1024;

type Outcome = { ok: unknown } | { error: { name: string; kind: string; message: string } };

async function outcome(work: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await work() };
  } catch (error) {
    if (!(error instanceof TaskError)) throw error;
    return { error: { name: error.name, kind: error.kind, message: error.message } };
  }
}

/** A manager with a clock and ids that give both stores the same values; ids are hostile too. */
function managerOn(store: ConstructorParameters<typeof TaskManager>[1]): TaskManager {
  let n = 0;
  return new TaskManager(store?.store === undefined ? tempDir('gt-hostile-') : '.', {
    clock: steppingClock('2025-01-01T00:00:00Z', 1000n),
    newId: () => `id'"\\;--\u0000${HOSTILE[n % HOSTILE.length]!.slice(0, 8)}-${++n}`,
    history: true,
    durability: 'none',
    ...store,
  });
}

/** The operations, in order; each is run on both stores. */
function operations(): [string, (m: TaskManager) => Promise<unknown>][] {
  const ops: [string, (m: TaskManager) => Promise<unknown>][] = [];
  const ids = new Map<string, string[]>();
  const idOf = (session: string, i: number): string => ids.get(session)?.[i] ?? 'missing';
  for (const session of SESSIONS) {
    HOSTILE.forEach((text, i) => {
      ops.push([`create ${i} in ${session.slice(0, 12)}`, async (m) => {
        const parent = i >= 3 ? idOf(session, i % 3) : null;
        const task = await m.createTask(session, text, [...HOSTILE].reverse().join(' | '), parent);
        if (!ids.has(session)) ids.set(session, []);
        const list = ids.get(session)!;
        if (list.length <= i) list.push(task.id);
        return task;
      }]);
    });
    ops.push(['rename', (m) => m.updateTask(session, idOf(session, 1), `${HOSTILE[3]} renamed ${HOSTILE[2]}`, HOSTILE[5])]);
    ops.push(['metadata with hostile keys and raw numbers', (m) =>
      m.updateTaskMetadata(session, idOf(session, 2), {
        [HOSTILE[3]!]: HOSTILE[2]!,
        '\u0000key': '\u0000',
        "'": { '"': ['\\', 1.5, -0, 1e21, 2 ** 53 + 2, 5e-324, null, true, HOSTILE[7]!] },
      })]);
    ops.push(['dependency', (m) => m.addTaskDependency(session, idOf(session, 4), idOf(session, 5))]);
    ops.push(['status', (m) => m.updateTaskStatus(session, idOf(session, 6), 'Completed')]);
    ops.push(['claim with a hostile agent', (m) => m.claimNextTask(session, HOSTILE[4]!)]);
    ops.push(['current task', (m) => m.setCurrentTaskId(session, idOf(session, 7))]);
    ops.push(['delete', (m) => m.deleteTask(session, idOf(session, 8))]);
    ops.push(['batch', (m) => m.batch(session, (tx) => {
      const t = tx.createTask(HOSTILE[0]!, HOSTILE[1]!);
      tx.updateTaskMetadata(t.id, { sql: HOSTILE.join('\u0000') });
      return tx.listTasks().length;
    })]);
    ops.push(['unknown id that looks like SQL', (m) => m.updateTaskStatus(session, "x'; DELETE FROM tasks; --", 'Completed')]);
    ops.push(['get by an id that looks like SQL', (m) => m.getTask(session, "' OR 1=1 --")]);
    ops.push(['orchestrator lookup', (m) => m.findByOrchestratorId(session, HOSTILE[3]!)]);
    ops.push(['lone surrogate name', (m) => m.createTask(session, 'bad \ud800 name', '')]);
    ops.push(['blank name', (m) => m.createTask(session, ' \t\n', '')]);
    ops.push(['tree', (m) => m.getTaskTree(session)]);
  }
  for (const bad of REFUSED_SESSIONS) ops.push([`session ${JSON.stringify(bad.slice(0, 20))}`, (m) => m.createTask(bad, 'x', '')]);
  ops.push(['5 MB metadata', (m) => m.updateTaskMetadata('B-plain', idOf('B-plain', 0), {
    blob: HOSTILE.join('').repeat(Math.ceil(FIVE_MB / HOSTILE.join('').length)).slice(0, FIVE_MB),
  })]);
  ops.push(['read 5 MB back', (m) => m.getTask('B-plain', idOf('B-plain', 0))]);
  ops.push(['sessions', (m) => m.listSessions()]);
  return ops;
}

describe('PostgreSQL store: hostile input', () => {
  it('the same operations on a file store and on PostgreSQL give the same results, errors and stored bytes', async () => {
    const schema = uniqueSchema('hostile');
    const files = managerOn(undefined);
    const postgres = managerOn({ store: postgresStore({ schema, history: true }) });
    // Two runs of the operations: each run records the ids its own manager was given.
    const fileOps = operations();
    const pgOps = operations();
    const kinds = { ok: 0, refused: 0 };
    for (let i = 0; i < fileOps.length; i++) {
      const [label, onFiles] = fileOps[i]!;
      const expected = await outcome(() => onFiles(files));
      const actual = await outcome(() => pgOps[i]![1](postgres));
      expect({ label, outcome: actual }).toEqual({ label, outcome: expected });
      kinds['ok' in expected ? 'ok' : 'refused']++;
    }
    // Both kinds really happened: the stores agreed on work done and on refusals.
    expect(kinds.ok).toBeGreaterThan(SESSIONS.length * (HOSTILE.length + 9));
    expect(kinds.refused).toBe(SESSIONS.length * 3 + REFUSED_SESSIONS.length);

    // A store with its own pool and no cache reads back exactly what the file store wrote.
    const fresh = new PostgresTaskStore({ connectionString: testDatabaseUrl() }, { schema, history: true });
    try {
      const reader = managerOn({ store: fresh });
      expect(await reader.listSessions()).toEqual(await files.listSessions());
      expect(await reader.listSessions()).toEqual([...SESSIONS].sort());
      for (const session of SESSIONS) {
        const fileBytes = fs.readFileSync(files.sessionPath(session), 'utf8');
        expect(encodeTaskList(await reader.loadTaskList(session))).toBe(fileBytes);
        expect(await reader.history(session)).toEqual(await files.history(session));
      }
      const big = (await reader.listTasks('B-plain')).find((t: Task) => (t.metadata as { blob?: string } | null)?.blob !== undefined);
      expect((big?.metadata as { blob: string }).blob).toHaveLength(FIVE_MB);
    } finally {
      await fresh.close();
    }
  }, 120_000);
});

describe('PostgreSQL store: schema names', () => {
  const schemasNow = async (): Promise<string[]> => {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      return (await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace ORDER BY nspname')).rows.map((r) => r.nspname);
    } finally {
      await client.end();
    }
  };
  const opened: PostgresTaskStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  const hostileSchemas = [
    '',
    'a"b',
    'x; DROP SCHEMA public CASCADE; --',
    "x' OR '1'='1",
    'with space',
    'a.b',
    'x\u0000y',
    'é',
    'a'.repeat(64),
    '1starts_with_digit',
    'pg_catalog',
    'pg_toast',
    'information_schema',
  ];
  for (const schema of hostileSchemas) {
    it(`schema ${JSON.stringify(schema.slice(0, 40))} is refused with an InvalidInput error and creates nothing`, async () => {
      const before = await schemasNow();
      let error: unknown;
      try {
        const store = new PostgresTaskStore({ connectionString: testDatabaseUrl() }, { schema });
        opened.push(store);
        await new TaskManager('.', { store }).createTask('s', 'x', '');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TaskError);
      expect((error as TaskError).kind).toBe('InvalidInput');
      expect((error as TaskError).message).toContain('schema');
      expect(await schemasNow()).toEqual(before);
    });
  }
});
