/**
 * `npm run bench`. Sections (all by default; `--only=mutation,strategies,complexity,startup,extra`
 * picks some):
 *
 * - mutation: `updateTaskStatus` back to back against the disk floor, interleaved (mutation.ts).
 * - strategies: gestura-tasks against (a) the floor — write-file-atomic with fsync of the same
 *   bytes, (b) the original strategy — read + JSON.parse (+ schema check, as serde does) the whole
 *   file, change, JSON.stringify, write, no cache, no lock, and (c) better-sqlite3 12 (WAL,
 *   synchronous FULL, one row per task). Sessions of 100, 1,000 and 10,000 tasks (a 4-ary tree),
 *   plus a 5,000-long dependency chain.
 * - complexity: every public operation at 1,000 / 10,000 / 100,000 tasks or input items on its
 *   worst shape, with growth ratios and a verdict (complexity.ts).
 * - startup: the CLI's start-up against `node -e 0` (startup.ts).
 * - extra: the sections listed in sections.ts (one alone by its key, e.g. `--only=postgres`: the
 *   PostgreSQL store beside the file store, bench/postgres.ts).
 *
 * Prints markdown and writes bench/results/latest.json (quick.json under `--quick`). Run with
 * `--expose-gc` for the heap figures (the npm script does). `--quick` runs fewer iterations and
 * skips the 100,000 sizes (`--with-100k` keeps them); `--op=<text>` runs only the complexity rows
 * whose name contains the text.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import writeFileAtomic from 'write-file-atomic';
import { TaskList, TaskManager, TaskTransaction, steppingClock } from '../src/index.js';
import { defaultEnv } from '../src/model/env.js';
import { createTaskRecord } from '../src/model/records.js';
import type { Task } from '../src/schema/task.js';
import { encodeTaskList } from '../src/store/codec.js';
import { complexityMarkdown, runComplexity, type ComplexityRow } from './complexity.js';
import { extraSections, normalizeSection } from './sections.js';
import { mutationMarkdown, runMutationRatios } from './mutation.js';
import { fmt, stats, type Stats } from './stats.js';
import { runStartup, startupMarkdown, type StartupResult } from './startup.js';

const QUICK = process.argv.includes('--quick');
const ONLY = ((): Set<string> | null => {
  const arg = process.argv.find((a) => a.startsWith('--only='));
  return arg === undefined ? null : new Set(arg.slice('--only='.length).split(','));
})();
const OP_FILTER = process.argv.find((a) => a.startsWith('--op='))?.slice('--op='.length);
const COMPLEXITY_SIZES = QUICK && !process.argv.includes('--with-100k') ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const wants = (section: string): boolean => ONLY === null || ONLY.has(section);
const SIZES = [100, 1_000, 10_000];
const CHAIN = 5_000;
const SESSION = 'bench';
const gc = (globalThis as { gc?: () => void }).gc;

// ------------------------------------------------------------------------------------------------
// Measuring

/** Runs `fn` `warmup` times untimed, then `iterations` times timed; `fn(i)` gets the iteration. */
async function measure(iterations: number, fn: (i: number) => unknown, warmup = 2): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return stats(samples);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Lets the file store trust the file's stat again (its racy window is 50 ms after a write). */
const settle = (): Promise<void> => sleep(70);

function iterationsFor(n: number, kind: 'write' | 'fastRead' | 'bulkRead' | 'batch' | 'cold'): number {
  const table = {
    write: { 100: 60, 1000: 40, 10000: 30 },
    fastRead: { 100: 3000, 1000: 3000, 10000: 2000 },
    bulkRead: { 100: 200, 1000: 60, 10000: 15 },
    batch: { 100: 15, 1000: 10, 10000: 5 },
    cold: { 100: 20, 1000: 10, 10000: 4 },
  } as const;
  const count = table[kind][n as 100 | 1000 | 10000];
  return QUICK ? Math.max(2, Math.ceil(count / 10)) : count;
}

// ------------------------------------------------------------------------------------------------
// Data: the same seed for every strategy

interface Seed {
  n: number;
  tasks: Task[];
  ids: string[];
  bytes: Buffer;
}

function makeSeed(n: number): Seed {
  const clock = steppingClock('2025-01-01T00:00:00Z', 1_000n);
  let next = 0;
  const env = { clock, newId: () => `task-${String(next++).padStart(6, '0')}` };
  const list = new TaskList(SESSION);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const parentId = i === 0 ? null : (ids[Math.floor((i - 1) / 4)] as string);
    const task = createTaskRecord(
      { sessionId: SESSION, name: `Task ${i}`, description: `Benchmark task number ${i}: a short description of the work.`, parentId },
      env,
    );
    list.addTask(task);
    ids.push(task.id);
  }
  return { n, tasks: [...list.tasks], ids, bytes: Buffer.from(encodeTaskList(list), 'utf8') };
}

function makeChainSeed(): Seed {
  const clock = steppingClock('2025-01-01T00:00:00Z', 1_000n);
  const ids: string[] = [];
  const tasks: Task[] = [];
  for (let i = 0; i < CHAIN; i++) {
    const id = `chain-${String(i).padStart(5, '0')}`;
    const task = createTaskRecord({ sessionId: SESSION, name: `Chain ${i}`, description: 'link', parentId: null }, { clock, newId: () => id });
    if (i > 0) task.blocked_by = [ids[i - 1] as string];
    tasks.push(task);
    ids.push(id);
  }
  // Spare tasks that the "accepted" case makes wait for the end of the chain.
  for (let i = 0; i < 200; i++) {
    const id = `spare-${String(i).padStart(3, '0')}`;
    tasks.push(createTaskRecord({ sessionId: SESSION, name: `Spare ${i}`, description: 'spare', parentId: null }, { clock, newId: () => id }));
  }
  const list = TaskList.fromData({ session_id: SESSION, tasks, current_task_id: null });
  return { n: tasks.length, tasks, ids, bytes: Buffer.from(encodeTaskList(list), 'utf8') };
}

let root = '';
let dirCount = 0;

/** A fresh base directory holding the seed as the session file; returns [baseDir, file]. */
async function seededDir(seed: Seed): Promise<[string, string]> {
  const base = path.join(root, `d${dirCount++}`);
  const manager = new TaskManager(base);
  const file = manager.sessionPath(SESSION);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, seed.bytes, { fsync: true });
  return [base, file];
}

// ------------------------------------------------------------------------------------------------
// (b) The original strategy: whole file per call, no cache, no lock

async function naiveRead<T>(file: string, fn: (tx: TaskTransaction) => T): Promise<T> {
  const list = TaskList.fromJSON(JSON.parse(await fs.readFile(file, 'utf8')));
  return fn(new TaskTransaction(list, defaultEnv));
}

async function naiveCommit<T>(file: string, fn: (tx: TaskTransaction) => T): Promise<T> {
  const list = TaskList.fromJSON(JSON.parse(await fs.readFile(file, 'utf8')));
  const result = fn(new TaskTransaction(list, defaultEnv));
  await writeFileAtomic(file, JSON.stringify(list.toJSON(), null, 2), { fsync: true });
  return result;
}

// ------------------------------------------------------------------------------------------------
// (c) better-sqlite3: one row per task, WAL, synchronous FULL

type Db = InstanceType<typeof Database>;

class SqliteTasks {
  readonly db: Db;
  readonly #get;
  readonly #exists;
  readonly #insert;
  readonly #maxPos;
  readonly #setTask;
  readonly #all;
  readonly #parentOf;
  readonly #openDescendant;
  readonly #blockers;
  readonly #descendants;
  readonly #reaches;
  readonly #addDep;
  #pos = 0;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, parent_id TEXT, status TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS tasks_parent ON tasks(parent_id);
      CREATE TABLE IF NOT EXISTS deps (task_id TEXT NOT NULL, blocker_id TEXT NOT NULL, PRIMARY KEY (task_id, blocker_id)) WITHOUT ROWID;`);
    this.#get = this.db.prepare<[string], { data: string }>('SELECT data FROM tasks WHERE id = ?');
    this.#exists = this.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM tasks WHERE id = ?');
    this.#insert = this.db.prepare('INSERT INTO tasks (id, pos, parent_id, status, data) VALUES (?, ?, ?, ?, ?)');
    this.#maxPos = this.db.prepare<[], { m: number | null }>('SELECT max(pos) AS m FROM tasks');
    this.#setTask = this.db.prepare('UPDATE tasks SET status = ?, data = ? WHERE id = ?');
    this.#all = this.db.prepare<[], { data: string }>('SELECT data FROM tasks ORDER BY pos');
    this.#parentOf = this.db.prepare<[string], { parent_id: string | null }>('SELECT parent_id FROM tasks WHERE id = ?');
    this.#openDescendant = this.db.prepare<[string], { one: number }>(
      `WITH RECURSIVE sub(id) AS (SELECT id FROM tasks WHERE parent_id = ? UNION SELECT t.id FROM tasks t JOIN sub ON t.parent_id = sub.id)
       SELECT 1 AS one FROM sub JOIN tasks t ON t.id = sub.id WHERE t.status NOT IN ('Completed', 'Cancelled') LIMIT 1`,
    );
    this.#blockers = this.db.prepare<[string], { status: string | null }>(
      'SELECT t.status AS status FROM deps d LEFT JOIN tasks t ON t.id = d.blocker_id WHERE d.task_id = ?',
    );
    this.#descendants = this.db.prepare<[string], { data: string }>(
      `WITH RECURSIVE sub(id) AS (SELECT id FROM tasks WHERE parent_id = ? UNION SELECT t.id FROM tasks t JOIN sub ON t.parent_id = sub.id)
       SELECT t.data AS data FROM sub JOIN tasks t ON t.id = sub.id ORDER BY t.pos`,
    );
    this.#reaches = this.db.prepare<[string, string], { one: number }>(
      `WITH RECURSIVE r(id) AS (SELECT ? UNION SELECT d.blocker_id FROM deps d JOIN r ON d.task_id = r.id)
       SELECT 1 AS one FROM r WHERE id = ? LIMIT 1`,
    );
    this.#addDep = this.db.prepare('INSERT OR IGNORE INTO deps (task_id, blocker_id) VALUES (?, ?)');
    this.#pos = (this.#maxPos.get()?.m ?? -1) + 1;
  }

  load(tasks: readonly Task[]): void {
    this.db.transaction(() => {
      for (const t of tasks) {
        this.#insert.run(t.id, this.#pos++, t.parent_id, t.status, JSON.stringify(t));
        for (const b of t.blocked_by) this.#addDep.run(t.id, b);
      }
    })();
  }

  getTask(id: string): Task | null {
    const row = this.#get.get(id);
    return row === undefined ? null : (JSON.parse(row.data) as Task);
  }

  #create(name: string, parentId: string | null): Task {
    if (parentId !== null && this.#exists.get(parentId) === undefined) throw new Error(`Task not found: ${parentId}`);
    const now = defaultEnv.clock.now();
    const task = createTaskRecord({ sessionId: SESSION, name, description: 'created by the benchmark', parentId }, { clock: { now: () => now }, newId: defaultEnv.newId });
    this.#insert.run(task.id, this.#pos++, task.parent_id, task.status, JSON.stringify(task));
    return task;
  }

  createTask(name: string, parentId: string | null): Task {
    return this.db.transaction(() => this.#create(name, parentId)).immediate();
  }

  createMany(count: number, prefix: string): void {
    this.db.transaction(() => {
      for (let i = 0; i < count; i++) this.#create(`${prefix} ${i}`, null);
    }).immediate();
  }

  #isBlocked(id: string): boolean {
    return this.#blockers.all(id).some((b) => b.status === null || (b.status !== 'Completed' && b.status !== 'Cancelled'));
  }

  #setStatus(task: Task, status: string): void {
    const next = { ...task, status: status as Task['status'], updated_at: defaultEnv.clock.now() };
    this.#setTask.run(status, JSON.stringify(next), task.id);
  }

  /** Same rules as the library: set, then reconcile each ancestor (completion check simplified to its checks). */
  updateTaskStatus(id: string, status: string): void {
    this.db.transaction(() => {
      const task = this.getTask(id);
      if (task === null) throw new Error(`Task not found: ${id}`);
      this.#setStatus(task, status);
      const seen = new Set([id]);
      let parent = this.#parentOf.get(id)?.parent_id ?? null;
      while (parent !== null && !seen.has(parent)) {
        seen.add(parent);
        const ancestor = this.getTask(parent);
        if (ancestor === null) break;
        if (ancestor.status !== 'Cancelled') {
          const blocked = this.#isBlocked(parent);
          const job = ancestor.background_job;
          const activeJob = job != null && ['Queued', 'Blocked', 'AwaitingApproval', 'Running'].includes(job.status);
          const next = !blocked && this.#openDescendant.get(parent) === undefined && !activeJob ? 'Completed' : blocked ? 'Blocked' : 'InProgress';
          if (next !== ancestor.status) this.#setStatus(ancestor, next);
        }
        parent = ancestor.parent_id;
      }
    }).immediate();
  }

  listTasks(): Task[] {
    return this.#all.all().map((r) => JSON.parse(r.data) as Task);
  }

  getTaskTree(): unknown {
    return TaskList.fromData({ session_id: SESSION, tasks: this.listTasks(), current_task_id: null }).buildTree();
  }

  listDescendants(id: string): Task[] {
    const rootTask = this.getTask(id);
    if (rootTask === null) throw new Error(`Task not found: ${id}`);
    const rows = this.#descendants.all(id).map((r) => JSON.parse(r.data) as Task);
    return TaskList.fromData({ session_id: SESSION, tasks: [rootTask, ...rows], current_task_id: null }).descendants(id);
  }

  /** Adds the dependency unless it would close a cycle (walks `blocked_by` in SQL). */
  addTaskDependency(taskId: string, blockerId: string): boolean {
    return this.db.transaction(() => {
      if (this.#reaches.get(blockerId, taskId) !== undefined) return false;
      const task = this.getTask(taskId) as Task;
      if (task.blocked_by.includes(blockerId)) return false;
      this.#addDep.run(taskId, blockerId);
      const next = { ...task, blocked_by: [...task.blocked_by, blockerId], updated_at: defaultEnv.clock.now() };
      this.#setTask.run(next.status, JSON.stringify(next), taskId);
      return true;
    }).immediate();
  }

  close(): void {
    this.db.close();
  }
}

async function sqliteFor(seed: Seed): Promise<[SqliteTasks, string]> {
  const dir = path.join(root, `sql${dirCount++}`);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'tasks.db');
  const db = new SqliteTasks(file);
  db.load(seed.tasks);
  return [db, file];
}

// ------------------------------------------------------------------------------------------------
// The run

type Strategy = 'gestura' | 'floor' | 'original' | 'sqlite';

interface Row {
  op: string;
  size: string;
  results: Partial<Record<Strategy, Stats>>;
  note?: string;
}

const rows: Row[] = [];
const extra: Record<string, unknown> = {};

function record(op: string, size: number | string, results: Partial<Record<Strategy, Stats>>, note?: string): Row {
  const row: Row = { op, size: typeof size === 'number' ? size.toLocaleString('en-US') : size, results, ...(note ? { note } : {}) };
  rows.push(row);
  const g = results.gestura;
  process.stderr.write(`  ${op} @ ${row.size}: gestura ${g ? g.medianMs.toFixed(3) : '-'} ms` +
    (results.floor ? `, floor ${results.floor.medianMs.toFixed(3)}` : '') +
    (results.original ? `, original ${results.original.medianMs.toFixed(3)}` : '') +
    (results.sqlite ? `, sqlite ${results.sqlite.medianMs.toFixed(3)}` : '') + '\n');
  return row;
}

/** Times write-file-atomic + fsync of the bytes the last gestura mutation left in `file`. */
async function floorOf(file: string, iterations: number): Promise<Stats> {
  const bytes = await fs.readFile(file);
  const target = path.join(root, `floor${dirCount++}.json`);
  return measure(iterations, () => writeFileAtomic(target, bytes, { fsync: true }));
}

async function runSize(seed: Seed): Promise<void> {
  const n = seed.n;
  process.stderr.write(`size ${n}\n`);
  const leaf = (i: number): string => seed.ids[n - 1 - (Math.abs(i) % Math.min(10, n))] as string;
  const some = (i: number): string => seed.ids[(Math.abs(i) * 7919) % n] as string;
  const rootId = seed.ids[0] as string;

  const [base, file] = await seededDir(seed);
  const [, naiveFile] = await seededDir(seed);
  const [sql, sqlFile] = await sqliteFor(seed);
  const manager = new TaskManager(base);

  // Cold load: a new manager's first read (read + parse + validate).
  const cold = iterationsFor(n, 'cold');
  record('cold load (first getTask)', n, {
    gestura: await measure(cold, (i) => new TaskManager(base).getTask(SESSION, some(i))),
    floor: await measure(cold, () => fs.readFile(file)),
    original: await measure(cold, (i) => naiveRead(naiveFile, (tx) => tx.getTask(some(i)))),
    sqlite: await measure(cold, (i) => {
      const db = new Database(sqlFile, { readonly: true });
      db.prepare('SELECT data FROM tasks WHERE id = ?').get(some(i));
      db.close();
    }),
  }, 'floor = reading the file');

  await manager.getTask(SESSION, rootId);
  await settle();
  await manager.getTask(SESSION, rootId);
  const fast = iterationsFor(n, 'fastRead');
  const bulk = iterationsFor(n, 'bulkRead');
  const statFloor = (k: number): Promise<Stats> => measure(k, () => fs.lstat(file, { bigint: true }));
  record('getTask', n, {
    gestura: await measure(fast, (i) => manager.getTask(SESSION, some(i)), 20),
    floor: await statFloor(fast),
    original: await measure(Math.min(fast, bulk), (i) => naiveRead(naiveFile, (tx) => tx.getTask(some(i)))),
    sqlite: await measure(fast, (i) => sql.getTask(some(i)), 20),
  }, 'floor = the lstat every read makes');
  record('listTasks', n, {
    gestura: await measure(bulk, () => manager.listTasks(SESSION)),
    floor: await statFloor(bulk),
    original: await measure(bulk, () => naiveRead(naiveFile, (tx) => tx.listTasks())),
    sqlite: await measure(bulk, () => sql.listTasks()),
  });
  record('getTaskTree', n, {
    gestura: await measure(bulk, () => manager.getTaskTree(SESSION)),
    floor: await statFloor(bulk),
    original: await measure(bulk, () => naiveRead(naiveFile, (tx) => tx.getTaskTree())),
    sqlite: await measure(bulk, () => sql.getTaskTree()),
  });
  record(`listDescendants (root: ${(n - 1).toLocaleString('en-US')})`, n, {
    gestura: await measure(bulk, () => manager.listDescendants(SESSION, rootId)),
    floor: await statFloor(bulk),
    original: await measure(bulk, () => naiveRead(naiveFile, (tx) => tx.listDescendants(rootId))),
    sqlite: await measure(bulk, () => sql.listDescendants(rootId)),
  });

  // Mutations.
  const writes = iterationsFor(n, 'write');
  const parentId = seed.ids[1] ?? rootId;
  const created = await measure(writes, (i) => manager.createTask(SESSION, `new ${i}`, 'created by the benchmark', parentId));
  record('createTask', n, {
    gestura: created,
    floor: await floorOf(file, writes),
    original: await measure(writes, (i) => naiveCommit(naiveFile, (tx) => tx.createTask(`new ${i}`, 'created by the benchmark', parentId))),
    sqlite: await measure(writes, (i) => sql.createTask(`new ${i}`, parentId)),
  });
  const status = (i: number): string => (i % 2 === 0 ? 'InProgress' : 'NotStarted');
  record('updateTaskStatus', n, {
    gestura: await measure(writes, (i) => manager.updateTaskStatus(SESSION, leaf(i), status(i))),
    floor: await floorOf(file, writes),
    original: await measure(writes, (i) => naiveCommit(naiveFile, (tx) => tx.updateTaskStatus(leaf(i), status(i)))),
    sqlite: await measure(writes, (i) => sql.updateTaskStatus(leaf(i), status(i))),
  });

  // A batch of 100 creates against 100 single creates.
  const batches = iterationsFor(n, 'batch');
  const batch = await measure(batches, (j) =>
    manager.batch(SESSION, (tx) => {
      for (let i = 0; i < 100; i++) tx.createTask(`batch ${j} ${i}`, 'created by the benchmark');
    }),
  );
  const singlesRuns = QUICK ? 1 : n >= 10_000 ? 1 : 2;
  const singles = await measure(singlesRuns, async (j) => {
    for (let i = 0; i < 100; i++) await manager.createTask(SESSION, `single ${j} ${i}`, 'created by the benchmark');
  }, 0);
  const batchRow = record('batch of 100 creates', n, {
    gestura: batch,
    floor: await floorOf(file, batches),
    original: await measure(batches, (j) =>
      naiveCommit(naiveFile, (tx) => {
        for (let i = 0; i < 100; i++) tx.createTask(`batch ${j} ${i}`, 'created by the benchmark');
      }),
    ),
    sqlite: await measure(batches, (j) => sql.createMany(100, `batch ${j}`)),
  });
  batchRow.note = `100 single createTask calls: ${singles.medianMs.toFixed(1)} ms (${(singles.medianMs / batch.medianMs).toFixed(1)}x the batch)`;
  extra[`singles100_${n}`] = singles;
  sql.close();
}

async function runChain(): Promise<void> {
  process.stderr.write(`chain ${CHAIN}\n`);
  const seed = makeChainSeed();
  const first = seed.ids[0] as string;
  const last = seed.ids[CHAIN - 1] as string;
  const [base, file] = await seededDir(seed);
  const [, naiveFile] = await seededDir(seed);
  const [sql] = await sqliteFor(seed);
  const manager = new TaskManager(base);
  await manager.getTask(SESSION, first);
  await settle();
  const size = `${CHAIN.toLocaleString('en-US')}-chain`;
  const k = QUICK ? 5 : 40;

  // The check alone, on the in-memory model: first waits for last closes a 5,000-long cycle.
  const model = TaskList.fromData(JSON.parse(seed.bytes.toString('utf8')));
  const refuse = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch {
      return 'refused';
    }
    throw new Error('the cycle was not refused');
  };
  const modelCheck = await measure(k * 5, () => refuse(() => model.addDependency(first, last)));
  extra.cycleCheckModel = modelCheck;
  record('cycle check only (model, refused)', size, { gestura: modelCheck }, 'TaskList.addDependency walking 5,000 blocked_by links');
  const refuseAsync = async (p: Promise<unknown>): Promise<void> => {
    try {
      await p;
    } catch {
      return;
    }
    throw new Error('the cycle was not refused');
  };
  record('addTaskDependency, cycle refused', size, {
    gestura: await measure(k, () => refuseAsync(manager.addTaskDependency(SESSION, first, last))),
    original: await measure(k, () => refuseAsync(naiveCommit(naiveFile, (tx) => tx.addTaskDependency(first, last)))),
    sqlite: await measure(k, () => {
      if (sql.addTaskDependency(first, last)) throw new Error('the cycle was not refused');
    }),
  }, 'lock + stat + 5,000-step walk; nothing written');
  const spare = (i: number): string => `spare-${String(Math.abs(i) + 2 * (i < 0 ? 50 : 0)).padStart(3, '0')}`;
  record('addTaskDependency, accepted after a 5,000-step walk', size, {
    gestura: await measure(k, (i) => manager.addTaskDependency(SESSION, spare(i), last)),
    floor: await floorOf(file, k),
    original: await measure(k, (i) => naiveCommit(naiveFile, (tx) => tx.addTaskDependency(spare(i + 60), last))),
    sqlite: await measure(k, (i) => sql.addTaskDependency(spare(i + 120), last)),
  });
  sql.close();
}

/** Heap bytes per task of a cached 10,000-task session, before and after its first commit. */
async function heapPerTask(seed: Seed): Promise<Record<string, number | null>> {
  if (gc === undefined) return { afterLoad: null, afterCommit: null, parsedJsonOnly: null };
  const [base] = await seededDir(seed);
  const usage = (): number => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const h0 = usage();
  const manager = new TaskManager(base);
  await manager.getTask(SESSION, seed.ids[0] as string);
  const h1 = usage();
  await manager.updateTaskStatus(SESSION, seed.ids[seed.n - 1] as string, 'InProgress');
  const h2 = usage();
  const text = seed.bytes.toString('utf8');
  const h3 = usage();
  const parsed = JSON.parse(text) as unknown;
  const h4 = usage();
  if (parsed === null) throw new Error('unreachable');
  await manager.getTask(SESSION, seed.ids[0] as string); // keep the manager alive until here
  return {
    afterLoad: Math.round((h1 - h0) / seed.n),
    afterCommit: Math.round((h2 - h0) / seed.n),
    parsedJsonOnly: Math.round((h4 - h3) / seed.n),
  };
}

function table(): string {
  const lines = [
    '| operation | tasks | gestura median | p90 | ops/s | floor | ×floor | original | sqlite | note |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    const g = r.results.gestura;
    const f = r.results.floor;
    lines.push(
      `| ${r.op} | ${r.size} | ${fmt(g?.medianMs)} | ${fmt(g?.p90Ms)} | ${g ? Math.round(g.opsPerSec).toLocaleString('en-US') : '–'} | ${fmt(f?.medianMs)} | ${
        g && f ? (g.medianMs / f.medianMs).toFixed(2) : '–'
      } | ${fmt(r.results.original?.medianMs)} | ${fmt(r.results.sqlite?.medianMs)} | ${r.note ?? ''} |`,
    );
  }
  return lines.join('\n');
}

async function runStrategies(): Promise<{ markdown: string; goals: Record<string, { value: number | null | undefined; goal: string }> }> {
  const seeds = new Map<number, Seed>();
  for (const n of SIZES) {
    const seed = makeSeed(n);
    seeds.set(n, seed);
    await runSize(seed);
    gc?.();
  }
  await runChain();
  const heap = await heapPerTask(seeds.get(10_000) as Seed);
  extra.heapBytesPerTask = heap;

  const find = (op: string, size: string): Row | undefined => rows.find((r) => r.op.startsWith(op) && r.size === size);
  const median = (op: string, size: string, s: Strategy = 'gestura'): number => find(op, size)?.results[s]?.medianMs ?? NaN;
  const singles = extra.singles100_1000 as Stats;
  const goals = {
    getTaskAt10kMicros: { value: median('getTask', '10,000') * 1000, goal: '<= 50' },
    getTaskTreeAt10kMs: { value: median('getTaskTree', '10,000'), goal: '<= 10' },
    listDescendantsAt10kMs: { value: median('listDescendants', '10,000'), goal: '<= 10' },
    cycleCheck5000Ms: { value: median('cycle check only', `${CHAIN.toLocaleString('en-US')}-chain`), goal: '<= 5' },
    addTaskDependencyCycleRefused5000Ms: { value: median('addTaskDependency, cycle refused', `${CHAIN.toLocaleString('en-US')}-chain`), goal: '(whole call, for reference)' },
    batchSpeedupAt1k: { value: singles.medianMs / median('batch of 100 creates', '1,000'), goal: '>= 20' },
    heapBytesPerTaskAt10k: { value: heap.afterCommit, goal: '<= 2048' },
  };
  const summary = Object.entries(goals)
    .map(([k, v]) => `- ${k}: ${typeof v.value === 'number' ? Number(v.value.toFixed(3)) : v.value} (goal ${v.goal})`)
    .join('\n');
  const markdown = `## Strategies\n\n${table()}\n\nHeap per task at 10,000 tasks: ${heap.afterLoad} B after a cold load, ${heap.afterCommit} B once a commit has cached every task's printed bytes (JSON.parse alone: ${heap.parsedJsonOnly} B).\n\nGoals:\n${summary}\n`;
  return { markdown, goals };
}

async function main(): Promise<void> {
  const started = Date.now();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'gestura-bench-'));
  const parts: string[] = [];
  const out: Record<string, unknown> = { date: new Date().toISOString(), quick: QUICK };
  const print = (md: string): void => {
    parts.push(md);
    // Each section ends its own line, whatever its markdown ends with (stderr progress follows).
    process.stdout.write(`\n${md}${md.endsWith('\n') ? '' : '\n'}`);
  };
  try {
    if (wants('mutation')) {
      process.stderr.write('== mutation vs disk floor\n');
      const mutations = await runMutationRatios({ quick: QUICK, tmp: root });
      out.mutationRatios = mutations;
      print(`## Mutation vs disk floor\n\n${mutationMarkdown(mutations)}`);
    }
    if (wants('strategies')) {
      process.stderr.write('== strategies\n');
      const s = await runStrategies();
      Object.assign(out, { rows, extra, goals: s.goals });
      print(s.markdown);
      gc?.();
    }
    if (wants('complexity')) {
      process.stderr.write('== complexity\n');
      const complexity: ComplexityRow[] = await runComplexity({ quick: QUICK, sizes: COMPLEXITY_SIZES, tmp: path.join(root, 'complexity'), only: OP_FILTER });
      out.complexity = { sizes: COMPLEXITY_SIZES, rows: complexity };
      print(`## Complexity\n\n${complexityMarkdown(complexity, COMPLEXITY_SIZES)}`);
    }
    if (wants('startup')) {
      process.stderr.write('== startup\n');
      const startup: StartupResult = await runStartup({ quick: QUICK, tmp: root });
      out.startup = startup;
      print(`## CLI start-up\n\n${startupMarkdown(startup)}`);
    }
    const extras = extraSections.filter((section) => wants('extra') || (section.key !== undefined && wants(section.key)));
    if (extras.length > 0) {
      const sections: Record<string, unknown> = {};
      for (const section of extras) {
        process.stderr.write(`== ${section.title}\n`);
        const { markdown, json } = normalizeSection(await section.run({ quick: QUICK }));
        sections[section.title] = json;
        print(`## ${section.title}\n\n${markdown}`);
      }
      out.sections = sections;
    }
    Object.assign(out, {
      machine: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', loadAverageAtEnd: os.loadavg() },
      durationSeconds: Math.round((Date.now() - started) / 1000),
      markdown: parts.join('\n'),
    });
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
    await fs.mkdir(dir, { recursive: true });
    const partial = ONLY !== null || OP_FILTER !== undefined;
    const name = QUICK ? 'quick.json' : partial ? 'partial.json' : 'latest.json';
    await fs.writeFile(path.join(dir, name), `${JSON.stringify(out, null, 2)}\n`);
    process.stderr.write(`done in ${String(out.durationSeconds)} s (results/${name})\n`);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
