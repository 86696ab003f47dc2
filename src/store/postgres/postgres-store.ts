/**
 * The PostgreSQL store: every session's list kept as rows, one per task, in tables of one schema,
 * shared by any number of processes on any number of machines (README "Many machines",
 * docs/architecture.md "The PostgreSQL store").
 *
 * Each task row holds the task exactly as the file store prints it (so a list copied between the
 * stores keeps its bytes), plus query columns (task id, status, parent). Rows are keyed by a sparse
 * position whose order is the list order (positions.ts). Every commit bumps the session row's
 * `version` and stamps the rows it writes with it, so a reader holding version v fetches only rows
 * changed since v; removed tasks leave tombstones (body NULL) until a later commit purges them.
 *
 * Cost in round trips (RT), with a pooled connection at hand. Statements with parameters are
 * prepared once per pooled connection and then only bound and executed (connection.ts); the
 * statements of one step go to the server together and come back together (one RT):
 * - read: 1 RT always (one statement: the session row, plus the rows changed since the version
 *   held). Nothing changed: one small row comes back. Changed: O(changed rows) come back and are
 *   decoded, the list is rebuilt around them in O(n) pointer work. No list held: every row.
 * - commit (withLock + read + write): [BEGIN, the transaction's idle limit, lock (an upsert of the
 *   session row that takes it FOR UPDATE), the read of the rows changed since the list this store
 *   holds] in 1 RT, then [generic plans for the rest, the write statement, COMMIT] in 1 RT: 2 RT, whether or not another
 *   process committed in between. The read is its own statement, so its snapshot is taken after the
 *   lock was granted (docs/decisions.md, "Why the session row lock"). The write statement sends
 *   only the changed and removed rows: O(changed) SQL work, O(n) pointer compares in memory.
 *   Holding no list of the session yet, the lock goes without the read and the read inside the
 *   lock takes 1 RT more.
 * - a commit that changes nothing: [BEGIN … read], ROLLBACK: 2 RT.
 * - an import with the history (`copy`, StoreHistory.importSession): the statement replacing the
 *   history rows, then the commit's batch: 3 RT.
 * - first use of a store: 1 RT to check the schema version (creating the tables when missing).
 *
 * Writers of a session are serialised by the session row lock, held for the whole
 * read-apply-write: across processes and hosts (and, through an in-process mutex per session, across
 * async callers in one process first, so they queue without holding connections).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { InvalidInputError, TaskIoError, TaskSerializationError } from '../../errors.js';
import { HISTORY_SEQ_KEY, importedHistory, requireRetention, retainHistory, sequenceOf, type HistoryEntry, type HistoryRecord, type HistoryRetention } from '../../history.js';
import type { TaskList } from '../../model/task-list.js';
import type { Task } from '../../schema/task.js';
import { encodeListTop, encodeTaskText } from '../codec.js';
import { holdsKey, withKeyedMutex } from '../keyed-mutex.js';
import type { StoredList, StoreHistory, TaskStore } from '../task-store.js';
import { PostgresChangeFeed } from './change-feed.js';
import { acquire, ioError, release, run, runBatch, serverLocation, type Lease, type Step } from './connection.js';
import type { PostgresConnection, PostgresTaskStoreOptions } from './options.js';
import { historyParams, importParams, landedEntries, type HistoryState, type HistoryWrite } from './history-rows.js';
import { listFromRows, queryText, type ReadRow, type RowList, type RowVersion } from './list-rows.js';
import { planRows } from './positions.js';
import { quoteIdentifier, requireSchemaName } from './schema.js';
import { prepareTables, type TablesTarget } from './tables.js';
import { statements, type Statements } from './statements.js';

/** What the lock statement returned. */
interface LockedRow extends HistoryState {
  readonly version: bigint;
  readonly incarnation: string;
  readonly deadRows: number;
}

/** A row of the history statement: the session row first (entry_no null), then the entries. */
interface HistoryRow {
  entry_no: string | null;
  version: string | null;
  incarnation: string | null;
  entry: string | null;
}

/** A session lock this store holds (a transaction on its own connection). */
interface Held {
  readonly key: string;
  readonly lease: Lease;
  readonly locked: LockedRow;
  /** What the read inside the lock found, once it ran. */
  read: StoredList | null | undefined;
  /**
   * The read statement's rows, sent with the lock statement (so in the same round trip, but as its
   * own statement: its snapshot is taken after the lock was granted), for changes since `base`.
   */
  prefetched: { readonly base: RowList; readonly rows: ReadRow[] } | undefined;
  /** The transaction has ended (committed by the write, or rolled back). */
  done: boolean;
}

/** Pools whose 'error' events a store already listens for (many stores may share a pool). */
const listenedPools = new WeakSet<pg.Pool>();

/** Sessions whose last list each store remembers (the manager keeps its own cache too). */
const REMEMBERED_SESSIONS = 256;
/** Tombstones are purged once they outnumber the live rows (and this many). */
const MIN_TOMBSTONES_PURGED = 64;

/** Task lists as rows in PostgreSQL (see the module comment). Used as `new TaskManager(dir, { store })`. */
export class PostgresTaskStore implements TaskStore {
  /** The schema holding this store's tables. */
  readonly schema: string;
  /** The server, without user or password: `postgres://host:port/db`. */
  readonly server: string;
  readonly history?: StoreHistory;
  /** The live change feed: LISTEN on one dedicated connection while anyone subscribes (change-feed.ts). */
  readonly changes: PostgresChangeFeed;
  readonly #pool: pg.Pool;
  readonly #clientConfig: pg.ClientConfig;
  readonly #ownsPool: boolean;
  readonly #timeoutMs: number;
  /** How long a lock holder's transaction may sit idle before the server ends it (timeoutMs / 2). */
  readonly #staleMs: number;
  readonly #identity: string;
  readonly #sql: Statements;
  readonly #quoted: string;
  readonly #retention: HistoryRetention | null;
  #ready: Promise<void> | null = null;
  readonly #held = new Map<string, Held>();
  readonly #remembered = new Map<string, StoredList>();

  constructor(connection: PostgresConnection, options: PostgresTaskStoreOptions = {}) {
    if (connection === null || typeof connection !== 'object') throw new InvalidInputError('connection must be { connectionString } or { pool }');
    if (options === null || typeof options !== 'object') throw new InvalidInputError('options must be an object');
    this.schema = requireSchemaName(options.schema);
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (typeof timeoutMs !== 'number' || !Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
      throw new InvalidInputError(`timeoutMs must be a positive integer, got ${String(timeoutMs)}`);
    }
    this.#timeoutMs = timeoutMs;
    this.#staleMs = Math.max(1, Math.floor(timeoutMs / 2));
    if ('pool' in connection && connection.pool instanceof pg.Pool) {
      this.#pool = connection.pool;
      this.#ownsPool = false;
      this.#clientConfig = connection.pool.options;
      this.server = serverLocation(connection.pool.options);
    } else if ('connectionString' in connection && typeof connection.connectionString === 'string' && connection.connectionString !== '') {
      const config: pg.PoolConfig = { connectionString: connection.connectionString, connectionTimeoutMillis: timeoutMs, keepAlive: true };
      this.#pool = new pg.Pool(config);
      this.#ownsPool = true;
      this.#clientConfig = config;
      this.server = serverLocation(config);
    } else {
      throw new InvalidInputError('connection must be { connectionString: string } or { pool: pg.Pool }');
    }
    // An idle pooled connection that dies reports an 'error' event; the next call fails on its own.
    if (!listenedPools.has(this.#pool)) {
      listenedPools.add(this.#pool);
      this.#pool.on('error', () => undefined);
    }
    this.#quoted = quoteIdentifier(this.schema);
    this.#sql = statements(this.#quoted);
    this.#identity = `${this.server}#${this.schema}`;
    this.changes = new PostgresChangeFeed({ newClient: () => this.dedicatedClient(), schema: this.schema, timeoutMs, where: this.#identity });
    this.#retention = options.history === undefined || options.history === false ? null : requireRetention(options.history);
    if (this.#retention !== null) {
      this.history = {
        read: (sessionId) => this.#readHistory(sessionId),
        importSession: (sessionId, list, basis, entries) => this.#importSession(sessionId, list, basis, entries),
      };
    }
  }

  /** `postgres://host:port/db#schema/session` (never the user or password). */
  locate(sessionId: string): string {
    return `${this.#identity}/${sessionId}`;
  }

  /**
   * A new connection to this store's server outside its pool, with the pool's settings (for a
   * LISTEN connection, which must not go back to a pool). The caller connects it, listens for its
   * 'error' events and ends it.
   */
  dedicatedClient(): pg.Client {
    return new pg.Client(this.#clientConfig);
  }

  /** The bound of every wait on the server, in milliseconds (the `timeoutMs` option). */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Ends the pool when this store made it (from a connection string); a given pool is left open. */
  async close(): Promise<void> {
    await this.changes.close();
    if (this.#ownsPool && !this.#pool.ended) await this.#pool.end();
  }

  // ----------------------------------------------------------------------------------------------
  // Plumbing

  #deadline(): number {
    return Date.now() + this.#timeoutMs;
  }

  async #connect(deadline: number, action: string, where: string): Promise<Lease> {
    await this.#ensureTables(deadline, where);
    return acquire(this.#pool, deadline, action, where, this.#timeoutMs);
  }

  #run<R extends pg.QueryResultRow>(lease: Lease, text: string, values: unknown[] | undefined, deadline: number, action: string, where: string): Promise<pg.QueryResult<R>> {
    return run<R>(lease, text, values, deadline, action, where, this.#timeoutMs);
  }

  /** The tables, made on first use (once per store; retried after a failure). */
  #ensureTables(deadline: number, where: string): Promise<void> {
    const target: TablesTarget = { pool: this.#pool, schema: this.schema, quoted: this.#quoted, sql: this.#sql, identity: this.#identity, timeoutMs: this.#timeoutMs };
    this.#ready ??= prepareTables(target, deadline, where).catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  /** `stored` when it is a list this store (or another on the same tables) returned. */
  #ours(stored: StoredList | null | undefined): RowList | null {
    if (stored === null || stored === undefined) return null;
    const v = stored.version as RowVersion | null;
    return v !== null && typeof v === 'object' && v.store === this.#identity && typeof v.version === 'bigint' ? (stored as RowList) : null;
  }

  #remember(sessionId: string, stored: StoredList | null): void {
    if (stored === null) {
      this.#remembered.delete(sessionId);
      return;
    }
    if (this.#remembered.size >= REMEMBERED_SESSIONS && !this.#remembered.has(sessionId)) this.#remembered.clear();
    this.#remembered.set(sessionId, stored);
  }

  /** The lock of `sessionId` when the calling async context holds it (inside withLock). */
  #heldHere(sessionId: string): Held | undefined {
    const held = this.#held.get(sessionId);
    return held !== undefined && !held.done && holdsKey(held.key) ? held : undefined;
  }

  // ----------------------------------------------------------------------------------------------
  // Reads

  async read(sessionId: string, known: StoredList | null): Promise<StoredList | null> {
    const where = this.locate(sessionId);
    const held = this.#heldHere(sessionId);
    if (held !== undefined) return this.#readLocked(held, sessionId, known, where);
    const deadline = this.#deadline();
    const lease = await this.#connect(deadline, 'read', where);
    try {
      return await this.#fetch(lease, sessionId, known, deadline, where);
    } finally {
      release(lease);
    }
  }

  /** The read inside a lock: free when the locked version is the one held, else one fetch. */
  async #readLocked(held: Held, sessionId: string, known: StoredList | null, where: string): Promise<StoredList | null> {
    const { locked } = held;
    if (locked.version === 0n) return null;
    const base = this.#ours(known) ?? this.#ours(this.#remembered.get(sessionId));
    const fresh = (s: StoredList | null | undefined): boolean => {
      const v = this.#ours(s)?.version;
      return v !== undefined && v.incarnation === locked.incarnation && v.version === locked.version;
    };
    if (fresh(known)) return known;
    if (held.read !== undefined && held.read !== null) return held.read;
    if (base !== null && fresh(base)) return (held.read = base);
    const prefetched = held.prefetched;
    held.prefetched = undefined;
    if (prefetched !== undefined) {
      // The rows changed since the list this store held when it locked, read after the lock was
      // granted: the list at the locked version (checked, else a fresh read below).
      const head = prefetched.rows[0];
      if (head !== undefined && head.position === null && head.version === locked.version.toString() && head.incarnation === locked.incarnation) {
        if (head.body === null) return (held.read = prefetched.base);
        const stored = listFromRows(this.#identity, sessionId, prefetched.base, prefetched.rows, where);
        this.#remember(sessionId, stored);
        return (held.read = stored);
      }
    }
    held.read = await this.#fetch(held.lease, sessionId, base, this.#deadline(), where);
    return held.read;
  }

  /**
   * One read statement (see Statements.read): `known` back when nothing changed, else the list
   * rebuilt from what `known` (or this store's last list of the session) holds plus the changed
   * rows. O(changed rows) decoded, O(n) to rebuild the list.
   */
  async #fetch(lease: Lease, sessionId: string, known: StoredList | null, deadline: number, where: string): Promise<StoredList | null> {
    const base = this.#ours(known) ?? this.#ours(this.#remembered.get(sessionId));
    const baseVersion = base === null ? '-1' : base.version.version.toString();
    const baseIncarnation = base === null ? '' : base.version.incarnation;
    const { rows } = await this.#run<ReadRow>(lease, this.#sql.read, [sessionId, baseVersion, baseIncarnation], deadline, 'read', where);
    const head = rows[0];
    if (head === undefined || head.position !== null) {
      this.#remember(sessionId, null);
      return null;
    }
    if (head.body === null && base !== null) {
      // Unchanged (the statement leaves `top` out only then).
      this.#remember(sessionId, base);
      return base;
    }
    const stored = listFromRows(this.#identity, sessionId, base, rows, where);
    this.#remember(sessionId, stored);
    return stored;
  }

  async listSessions(): Promise<string[]> {
    const where = `${this.#identity}/`;
    const deadline = this.#deadline();
    const lease = await this.#connect(deadline, 'list the sessions of', where);
    try {
      const { rows } = await this.#run<{ session_id: string }>(lease, this.#sql.sessions, undefined, deadline, 'list the sessions of', where);
      return rows.map((r) => r.session_id).sort();
    } finally {
      release(lease);
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Commits

  async withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const where = this.locate(sessionId);
    const key = `postgres:${this.locate(sessionId)}`;
    const deadline = this.#deadline();
    return withKeyedMutex(key, async () => {
      const lease = await this.#connect(deadline, 'lock', where);
      let held: Held | undefined;
      let keepalive: NodeJS.Timeout | undefined;
      try {
        // One round trip: BEGIN, the idle limit, the lock and, when this store holds a list of the
        // session, the read of the rows changed since it (its own statement, so its snapshot is
        // taken once the lock is granted and sees every commit before ours; see
        // docs/decisions.md "Why the session row lock"). A holder that stops answering (a frozen or
        // cut-off host) loses the lock once its transaction has sat idle for half the timeout; a
        // live holder keeps it with a keepalive.
        const base = this.#ours(this.#remembered.get(sessionId));
        const steps: Step[] = [
          { text: 'BEGIN' },
          { text: this.#sql.idleLimit, values: [String(this.#staleMs)] },
          { text: this.#sql.lock, values: [sessionId, randomBytes(12).toString('base64url')] },
        ];
        if (base !== null) steps.push({ text: this.#sql.read, values: [sessionId, base.version.version.toString(), base.version.incarnation] });
        const results = await runBatch(lease, steps, deadline, 'lock', where, this.#timeoutMs);
        const row = (results[2]?.rows as Record<string, string | number | null>[] | undefined)?.[0];
        if (row === undefined) throw new TaskIoError(`cannot lock '${where}': the session row was not returned`, { path: where });
        held = {
          key,
          lease,
          locked: {
            version: BigInt(row.version as string),
            incarnation: row.incarnation as string,
            deadRows: Number(row.dead_rows),
            historySeq: row.history_seq === null ? null : Number(row.history_seq),
            historyEntries: Number(row.history_entries),
            historyNext: Number(row.history_next),
          },
          read: undefined,
          prefetched: base === null ? undefined : { base, rows: results[3]?.rows as ReadRow[] },
          done: false,
        };
        this.#held.set(sessionId, held);
        keepalive = setInterval(() => {
          if (!held?.done) lease.client.query('SELECT 1').catch(() => undefined);
        }, Math.max(10, Math.floor(this.#staleMs / 3)));
        keepalive.unref();
        const result = await fn();
        if (!held.done) {
          held.done = true;
          await this.#run(lease, 'ROLLBACK', undefined, this.#deadline(), 'unlock', where).catch(() => {
            lease.broken = true; // destroying the connection ends the transaction on the server
          });
        }
        return result;
      } catch (error) {
        if (held === undefined || !held.done) {
          if (held !== undefined) held.done = true;
          if (!lease.broken) {
            await this.#run(lease, 'ROLLBACK', undefined, this.#deadline(), 'unlock', where).catch(() => {
              lease.broken = true;
            });
          }
        }
        throw error;
      } finally {
        clearInterval(keepalive);
        if (held !== undefined && this.#held.get(sessionId) === held) this.#held.delete(sessionId);
        release(lease);
      }
    }, this.#timeoutMs, where);
  }

  /**
   * The commit: checks that `basis` is still the session's version (the row is locked, so this
   * only fails for a basis read elsewhere), then one statement writes the changed and removed rows,
   * the session row, the history entries and the change notification, and COMMIT makes it durable,
   * both in 1 RT. The notification is delivered only if the commit lands.
   */
  async write(sessionId: string, list: TaskList, basis: StoredList | null, history?: readonly HistoryRecord[]): Promise<StoredList> {
    const held = this.#heldFor(sessionId, basis);
    const records = this.#retention !== null && history !== undefined ? historyParams(list, basis, history, held.locked, this.#retention) : null;
    return this.#commit(held, sessionId, list, basis, records, null);
  }

  /** The lock held here for a commit on `basis`: a TaskIoError when there is none or `basis` is not the locked version. */
  #heldFor(sessionId: string, basis: StoredList | null): Held {
    const where = this.locate(sessionId);
    const held = this.#heldHere(sessionId);
    if (held === undefined) throw new TaskIoError(`cannot write '${where}' without holding its lock`, { path: where });
    const { locked } = held;
    const ours = this.#ours(basis);
    const stale =
      basis === null
        ? locked.version !== 0n
        : ours === null || ours.version.incarnation !== locked.incarnation || ours.version.version !== locked.version;
    if (stale) throw new TaskIoError(`'${where}' changed during this commit; nothing was written`, { path: where });
    return held;
  }

  /**
   * StoreHistory.importSession: the import statement replaces the session's history rows (numbered
   * on from the session's counter), then the write statement writes the list as a commit does, and
   * COMMIT lands both at once. 3 RT inside the lock.
   */
  async #importSession(sessionId: string, list: TaskList, basis: StoredList | null, entries: readonly HistoryEntry[]): Promise<StoredList> {
    const kept = importedHistory(entries, sequenceOf(list.extraValue(HISTORY_SEQ_KEY)), this.#retention as HistoryRetention, Date.now());
    const held = this.#heldFor(sessionId, basis);
    const where = this.locate(sessionId);
    const next = held.locked.historyNext;
    await this.#run(held.lease, this.#sql.importHistory, importParams(sessionId, kept, next), this.#deadline(), 'write', where);
    return this.#commit(held, sessionId, list, basis, null, { next: next + kept.length, count: kept.length });
  }

  /** The write statement and COMMIT (see {@link write}); `imported`: the history counters an import left. */
  async #commit(
    held: Held,
    sessionId: string,
    list: TaskList,
    basis: StoredList | null,
    records: HistoryWrite | null,
    imported: { next: number; count: number } | null,
  ): Promise<StoredList> {
    const where = this.locate(sessionId);
    const { locked } = held;
    const ours = this.#ours(basis);
    const version = locked.version + 1n;
    const plan = planRows(basis?.list.tasks ?? [], ours?.version.positions ?? [], list.tasks);
    const positions: number[] = [];
    const ids: (string | null)[] = [];
    const statuses: (string | null)[] = [];
    const parents: (string | null)[] = [];
    const bodies: string[] = [];
    let top: string;
    try {
      for (const i of plan.written) {
        const task = list.tasks[i] as Task;
        positions.push(plan.positions[i] as number);
        ids.push(queryText(task.id));
        statuses.push(queryText(task.status));
        parents.push(queryText(task.parent_id));
        bodies.push(encodeTaskText(task));
      }
      top = encodeListTop(list);
    } catch (error) {
      throw new TaskSerializationError(`cannot write '${where}': ${(error as Error).message}`, { cause: error, path: where });
    }
    const live = list.size;
    const purge = locked.deadRows + plan.removed.length > Math.max(MIN_TOMBSTONES_PURGED, live);
    const deadline = this.#deadline();
    // The write and COMMIT in one round trip: when the write fails the server skips the COMMIT and
    // the transaction is rolled back by withLock.
    await runBatch(
      held.lease,
      [
        { text: this.#sql.genericPlans, values: [] },
        {
          text: this.#sql.write,
          values: [
            sessionId,
            version.toString(),
            plan.removed,
            positions,
            ids,
            statuses,
            parents,
            bodies,
            purge,
            queryText(list.currentTaskId()),
            top,
            live,
            plan.removed.length,
            JSON.stringify([this.schema, sessionId, version.toString()]),
            records?.seq ?? null,
            records?.entryNos ?? [],
            records?.times ?? [],
            records?.entries ?? [],
            records?.dropThrough ?? 0,
            records?.cutoff ?? null,
            records?.next ?? imported?.next ?? locked.historyNext,
            records?.count ?? imported?.count ?? locked.historyEntries,
          ],
        },
        { text: 'COMMIT' },
      ],
      deadline,
      'write',
      where,
      this.#timeoutMs,
    );
    held.done = true;
    const stored: StoredList = { list, version: { store: this.#identity, incarnation: locked.incarnation, version, positions: plan.positions } satisfies RowVersion };
    this.#remember(sessionId, stored);
    return stored;
  }

  // ----------------------------------------------------------------------------------------------
  // History (README "History"; history-rows.ts)

  /**
   * The entries of commits that landed, oldest first, as retained. 2 RT (the list, the entries);
   * when a commit landed in between (the entries come with the session version they go with), the
   * list is read again and the entries too.
   */
  async #readHistory(sessionId: string): Promise<HistoryEntry[]> {
    const where = this.locate(sessionId);
    let stored = await this.read(sessionId, this.#remembered.get(sessionId) ?? null);
    let rows: HistoryRow[];
    for (let attempt = 1; ; attempt++) {
      if (stored === null) return [];
      const deadline = this.#deadline();
      const lease = await this.#connect(deadline, 'read the history of', where);
      try {
        rows = (await this.#run<HistoryRow>(lease, this.#sql.history, [sessionId], deadline, 'read the history of', where)).rows;
      } finally {
        release(lease);
      }
      const head = rows[0];
      const v = this.#ours(stored)?.version;
      const same = head !== undefined && head.entry_no === null && v !== undefined && head.incarnation === v.incarnation && head.version === v.version.toString();
      if (same || attempt >= 5) break;
      stored = await this.read(sessionId, stored);
    }
    const seq = sequenceOf(stored.list.extraValue(HISTORY_SEQ_KEY));
    let entries: HistoryEntry[];
    try {
      entries = landedEntries(rows, seq);
    } catch (error) {
      throw ioError('read the history of', where, error);
    }
    return retainHistory(entries, this.#retention as HistoryRetention, Date.now());
  }
}
