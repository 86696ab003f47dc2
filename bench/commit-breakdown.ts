/**
 * Where the milliseconds of a commit go. For sessions of 100, 1,000 and 10,000 tasks (a 4-ary
 * tree), measures in the same run:
 * - the floor: writing the same bytes to a new temporary file, fsync, rename (nothing else);
 * - `updateTaskStatus` back to back on the file store (durability `fsync`): median and p90;
 * - the median time of each step of those commits (lock, freshness check, apply, encode, write,
 *   fsync, verify, rename, unlock), reported by the store's internal timing hook.
 *
 * Standalone: `node --expose-gc --import tsx bench/commit-breakdown.ts [--quick]` prints a markdown
 * table and the JSON. `runCommitBreakdown` is exported for the main benchmark to include.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskManager, steppingClock } from '../src/index.js';
import { setCommitTimingHook, type CommitPhase } from '../src/store/commit-timing.js';

const SIZES = [100, 1_000, 10_000] as const;
const SESSION = 'bench';
const PHASES: readonly CommitPhase[] = ['lock', 'read', 'apply', 'encode', 'write', 'fsync', 'verify', 'rename', 'unlock'];
const gc = (globalThis as { gc?: () => void }).gc;

/** One size's result. */
export interface CommitBreakdownRow {
  tasks: number;
  commits: number;
  floorMedianMs: number;
  floorP90Ms: number;
  medianMs: number;
  p90Ms: number;
  /** median / floor median. */
  ratio: number;
  /** Median of commit_i / floor_i over the alternating pairs: steadier when the machine's load varies. */
  pairedRatio: number;
  /** Median milliseconds per step (steps that did not run are absent). */
  phases: Partial<Record<CommitPhase, number>>;
  /**
   * Commit time the steps do not account for: median total minus the sum of the step medians (the
   * manager's own work, scheduling; medians do not add up exactly, so this is approximate).
   */
  otherMs: number;
}

export interface CommitBreakdownResult {
  rows: CommitBreakdownRow[];
  json: { generatedAt: string; node: string; platform: string; quick: boolean; rows: CommitBreakdownRow[] };
  /** The rows as a markdown table. */
  table: string;
}

function quantile(samples: readonly number[], q: number): number {
  const xs = [...samples].sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  if (q === 0.5 && xs.length % 2 === 0) return ((xs[xs.length / 2 - 1] as number) + (xs[xs.length / 2] as number)) / 2;
  return xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The floor: the bytes to a fresh temp file (O_EXCL), fsync, close, rename over `target`. */
/** The disk floor of a commit: a new temporary file, one write, fsync, close, rename; nothing else. */
export async function floorCommit(target: string, bytes: Buffer): Promise<void> {
  const temp = `${target}.${randomBytes(6).toString('hex')}.floor`;
  const handle = await fs.open(temp, 'wx');
  try {
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, target);
}

async function seedSession(manager: TaskManager, n: number): Promise<string[]> {
  return manager.batch(SESSION, (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const parentId = i === 0 ? null : (ids[Math.floor((i - 1) / 4)] as string);
      ids.push(tx.createTask(`Task ${i}`, `Benchmark task number ${i}: a short description of the work.`, parentId).id);
    }
    return ids;
  });
}

async function measureSize(root: string, n: number, commits: number, quick: boolean): Promise<CommitBreakdownRow> {
  const base = path.join(root, `n${n}`);
  let next = 0;
  const manager = new TaskManager(base, {
    clock: steppingClock('2025-01-01T00:00:00Z', 1_000n),
    newId: () => `task-${String(next++).padStart(6, '0')}`,
  });
  const ids = await seedSession(manager, n);
  // Leaves of the 4-ary tree: the last quarter of the ids.
  const leaves = ids.slice(Math.floor((3 * n) / 4));
  const leaf = (i: number): string => leaves[(i * 7919) % leaves.length] as string;
  const status = (i: number): string => (i % 2 === 0 ? 'InProgress' : 'NotStarted');
  for (let i = 0; i < 3; i++) await manager.updateTaskStatus(SESSION, leaf(i), status(i)); // warm-up
  gc?.();

  // The floor target: the same bytes, in the same directory's file system, next to the session.
  const file = manager.sessionPath(SESSION);
  const floorTarget = path.join(base, 'floor.json');
  const bytes = await fs.readFile(file);
  await fs.writeFile(floorTarget, bytes);
  for (let i = 0; i < 3; i++) await floorCommit(floorTarget, bytes);

  // Floor and commit alternate, so both see the same machine load. Steps are collected from one
  // commit's start to the next one's.
  const totals: number[] = [];
  const floor: number[] = [];
  const perPhase = new Map<CommitPhase, number[]>(PHASES.map((p) => [p, []]));
  let current = new Map<CommitPhase, number>();
  const flush = (): void => {
    for (const [phase, ms] of current) perPhase.get(phase)?.push(ms);
    current = new Map();
  };
  setCommitTimingHook((phase, ms) => current.set(phase, (current.get(phase) ?? 0) + ms));
  try {
    for (let i = 0; i < commits; i++) {
      const f0 = performance.now();
      await floorCommit(floorTarget, bytes);
      floor.push(performance.now() - f0);
      flush();
      const t0 = performance.now();
      await manager.updateTaskStatus(SESSION, leaf(i), status(i));
      totals.push(performance.now() - t0);
    }
    await new Promise((r) => setTimeout(r, 20));
    flush();
  } finally {
    setCommitTimingHook(null);
  }

  const phases: Partial<Record<CommitPhase, number>> = {};
  let sum = 0;
  for (const phase of PHASES) {
    const xs = perPhase.get(phase) ?? [];
    if (xs.length === 0) continue;
    const m = quantile(xs, 0.5);
    phases[phase] = round(m);
    sum += m;
  }
  const median = quantile(totals, 0.5);
  const floorMedian = quantile(floor, 0.5);
  void quick;
  return {
    tasks: n,
    commits,
    floorMedianMs: round(floorMedian),
    floorP90Ms: round(quantile(floor, 0.9)),
    medianMs: round(median),
    p90Ms: round(quantile(totals, 0.9)),
    ratio: round(median / floorMedian),
    pairedRatio: round(quantile(totals.map((t, i) => t / (floor[i] as number)), 0.5)),
    phases,
    otherMs: round(Math.max(0, median - sum)),
  };
}

function toTable(rows: readonly CommitBreakdownRow[]): string {
  const head = ['tasks', 'floor median', 'median', 'p90', '×floor', '×floor (paired)', ...PHASES, 'other'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [
      r.tasks.toLocaleString('en-US'),
      r.floorMedianMs.toFixed(3),
      r.medianMs.toFixed(3),
      r.p90Ms.toFixed(3),
      r.ratio.toFixed(2),
      r.pairedRatio.toFixed(2),
      ...PHASES.map((p) => (r.phases[p] === undefined ? '–' : (r.phases[p] as number).toFixed(3))),
      r.otherMs.toFixed(3),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * Measures the commit breakdown at 100 / 1,000 / 10,000 tasks (milliseconds). `quick` runs few
 * commits (a smoke test); the full run takes about a minute.
 */
export async function runCommitBreakdown(options: { quick: boolean }): Promise<{ rows: CommitBreakdownRow[]; json: CommitBreakdownResult['json']; table: string }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gt-commit-breakdown-'));
  const commitsFor = (n: number): number => (options.quick ? 10 : n >= 10_000 ? 60 : 200);
  try {
    const rows: CommitBreakdownRow[] = [];
    for (const n of SIZES) rows.push(await measureSize(root, n, commitsFor(n), options.quick));
    return {
      rows,
      json: { generatedAt: new Date().toISOString(), node: process.version, platform: `${os.platform()} ${os.release()}`, quick: options.quick, rows },
      table: toTable(rows),
    };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runCommitBreakdown({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${result.table}\n\n${JSON.stringify(result.json, null, 2)}\n`);
}
