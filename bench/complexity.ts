/**
 * The complexity table: every operation of `complexity-ops.ts` at 1,000 / 10,000 / 100,000 tasks
 * (or input items), each size in its own process (`complexity-worker.ts`) with a time budget, the
 * growth ratio per 10× size and a verdict.
 *
 * Budget: a size whose timed call runs past `RUN_TIMEOUT_MS` is stopped and reported as timed
 * out; once a size took more than `SKIP_AFTER_MS` (or timed out) the larger sizes are skipped.
 * So the table always finishes, whatever the code's complexity.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPS, shapeBytes, type OpSpec, type Shape } from './complexity-ops.js';
import type { WorkerJob, WorkerResult } from './complexity-worker.js';
import { fmt, since } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(HERE);

/** A timed call running longer than this is stopped. */
export const RUN_TIMEOUT_MS = 20_000;
/** Setting up one size (copying and cold-loading the seed) may take this long. */
const SETUP_TIMEOUT_MS = 90_000;
/** A size slower than this skips the larger sizes. */
export const SKIP_AFTER_MS = 5_000;
/** Timed samples of one size stop once they add up to this. */
const BUDGET_MS = 6_000;
/** A growth per 10× size above this flags a superlinear operation (n log n gives about 13×). */
export const SUPERLINEAR_RATIO = 15;

export interface Cell {
  n: number;
  status: 'ok' | 'timeout' | 'skipped' | 'error';
  medianMs?: number;
  p90Ms?: number;
  samples?: number;
  floorMs?: number;
  fileBytes?: number | null;
  outcome?: string;
  /** Why it has no time (timeout, skip, error). */
  reason?: string;
  /** Wall time of the whole job (process start, seed copy, cold load, every iteration). */
  jobMs?: number;
}

export interface ComplexityRow {
  op: string;
  shape: Shape;
  nIs: string;
  includes: string;
  expected: string;
  cells: Cell[];
  /** t(10n) / t(n) for each consecutive pair of sizes; a lower bound ("≥") when the larger timed out. */
  growth: { from: number; to: number; ratio: number; lowerBound: boolean }[];
  verdict: string;
}

function iterationsFor(op: OpSpec, n: number, quick: boolean): number {
  const idx = n <= 1_000 ? 0 : n <= 10_000 ? 1 : 2;
  const table = op.fresh ? [3, 2, 1] : op.includes === 'read' ? [30, 10, 3] : [10, 5, 2];
  const count = table[idx] as number;
  return quick ? Math.max(1, Math.ceil(count / 3)) : count;
}

const seeds = new Map<string, string | null>();

async function seedFile(dir: string, shape: Shape, n: number): Promise<string | null> {
  const key = `${shape}-${shape === 'small' ? 100 : n}`;
  if (seeds.has(key)) return seeds.get(key) as string | null;
  const bytes = shapeBytes(shape, n);
  let file: string | null = null;
  if (bytes !== null) {
    file = path.join(dir, `seed-${key}.json`);
    await fs.writeFile(file, bytes);
  }
  seeds.set(key, file);
  return file;
}

/** The worker running now; killed if this process ends first (it never outlives the run). */
let running: ChildProcess | null = null;
process.on('exit', () => running?.kill('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    running?.kill('SIGKILL');
    process.exit(130);
  });
}

/** Runs one job in a child process, enforcing the setup and run timeouts. */
function runWorker(job: WorkerJob): Promise<{ result?: WorkerResult; timeout?: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'complexity-worker.ts'), JSON.stringify(job)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = child;
    let out = '';
    let err = '';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (value: { result?: WorkerResult; timeout?: string; error?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (running === child) running = null;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(value);
    };
    const arm = (ms: number, what: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish({ timeout: `${what} ran past ${ms / 1000} s` });
      }, ms);
    };
    arm(SETUP_TIMEOUT_MS, 'setup');
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        let message: { phase?: string; result?: WorkerResult; error?: string };
        try {
          message = JSON.parse(line) as typeof message;
        } catch {
          continue;
        }
        if (message.phase === 'setup') arm(SETUP_TIMEOUT_MS, 'setup');
        else if (message.phase === 'run') arm(RUN_TIMEOUT_MS, 'the call');
        else if (message.result !== undefined) finish({ result: message.result });
        else if (message.error !== undefined) finish({ error: message.error });
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err = (err + chunk).slice(-2000);
    });
    child.on('close', (code, signal) => {
      const lastLine = err.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' / ');
      finish({ error: `worker exited (${signal ?? code}) ${lastLine}`.slice(0, 300) });
    });
  });
}

function verdictOf(row: ComplexityRow): string {
  const failed = row.cells.find((c) => c.status === 'error');
  const worst = Math.max(0, ...row.growth.map((g) => g.ratio));
  const bound = row.growth.some((g) => g.lowerBound);
  if (worst > 2 * SUPERLINEAR_RATIO) return `superlinear ✗ (${bound ? '≥' : ''}${worst.toFixed(0)}× per 10×)`;
  if (worst > SUPERLINEAR_RATIO) return `superlinear? (${bound ? '≥' : ''}${worst.toFixed(0)}× per 10×)`;
  if (failed !== undefined) return `failed at ${failed.n.toLocaleString('en-US')}`;
  const stopped = row.cells.find((c) => c.status === 'timeout');
  if (stopped !== undefined) return `inconclusive: stopped at ${stopped.n.toLocaleString('en-US')} (≥ ${worst.toFixed(0)}× per 10×)`;
  if (row.growth.length === 0) return 'not enough sizes';
  return '≤ linear ✓';
}

/** Runs the table. `sizes` ascending. */
export async function runComplexity(opts: { quick: boolean; sizes: number[]; tmp: string; only?: string }): Promise<ComplexityRow[]> {
  const seedDir = path.join(opts.tmp, 'seeds');
  await fs.mkdir(seedDir, { recursive: true });
  const rows: ComplexityRow[] = [];
  let jobCount = 0;
  const ops = opts.only === undefined ? OPS : OPS.filter((o) => o.name.includes(opts.only as string));
  for (const op of ops) {
    const row: ComplexityRow = {
      op: op.name,
      shape: op.shape,
      nIs: op.nIs ?? 'tasks',
      includes: op.includes,
      expected: op.expected,
      cells: [],
      growth: [],
      verdict: '',
    };
    let skip: string | null = null;
    for (const n of opts.sizes) {
      if (skip !== null) {
        row.cells.push({ n, status: 'skipped', reason: skip });
        continue;
      }
      const dir = path.join(opts.tmp, `job${jobCount++}`);
      await fs.mkdir(dir, { recursive: true });
      const seed = await seedFile(seedDir, op.shape, n);
      const job: WorkerJob = { op: op.name, n, seed, dir, iterations: iterationsFor(op, n, opts.quick), budgetMs: BUDGET_MS };
      const t0 = process.hrtime.bigint();
      const outcome = await runWorker(job);
      const jobMs = Math.round(since(t0));
      await fs.rm(dir, { recursive: true, force: true });
      let cell: Cell;
      if (outcome.result !== undefined) {
        const r = outcome.result;
        cell = {
          n,
          status: 'ok',
          medianMs: r.time.medianMs,
          p90Ms: r.time.p90Ms,
          samples: r.time.n,
          ...(r.floor ? { floorMs: r.floor.medianMs } : {}),
          fileBytes: r.fileBytes,
          outcome: r.outcome,
        };
        if (r.time.medianMs > SKIP_AFTER_MS) skip = `skipped: previous size took ${(r.time.medianMs / 1000).toFixed(1)} s`;
      } else if (outcome.timeout !== undefined) {
        cell = { n, status: 'timeout', reason: outcome.timeout };
        skip = `skipped: previous size timed out (${outcome.timeout})`;
      } else {
        cell = { n, status: 'error', reason: outcome.error ?? 'unknown' };
        skip = 'skipped: previous size failed';
      }
      cell.jobMs = jobMs;
      row.cells.push(cell);
      process.stderr.write(
        `  ${op.name} @ ${n.toLocaleString('en-US')}: ${cell.status === 'ok' ? `${fmt(cell.medianMs)} (${cell.samples} runs)` : `${cell.status}: ${cell.reason}`}\n`,
      );
    }
    for (let i = 1; i < row.cells.length; i++) {
      const a = row.cells[i - 1] as Cell;
      const b = row.cells[i] as Cell;
      if (a.status !== 'ok' || a.medianMs === undefined) continue;
      if (b.status === 'ok' && b.medianMs !== undefined) {
        row.growth.push({ from: a.n, to: b.n, ratio: b.medianMs / a.medianMs, lowerBound: false });
      } else if (b.status === 'timeout') {
        row.growth.push({ from: a.n, to: b.n, ratio: RUN_TIMEOUT_MS / a.medianMs, lowerBound: true });
      }
    }
    row.verdict = verdictOf(row);
    rows.push(row);
  }
  return rows;
}

const INCLUDES: Record<string, string> = {
  commit: 'commit',
  read: 'read',
  'no write': 'lock, no write',
  cpu: 'CPU only',
};

function cellText(c: Cell | undefined): string {
  if (c === undefined) return '–';
  if (c.status === 'ok') return fmt(c.medianMs);
  if (c.status === 'timeout') return `> ${RUN_TIMEOUT_MS / 1000} s (stopped)`;
  if (c.status === 'skipped') return 'skipped';
  return `error: ${(c.reason ?? '').replace(/\|/g, '/').slice(0, 80)}`;
}

/** The table as markdown: times per size, growth per 10×, expected complexity and verdict. */
export function complexityMarkdown(rows: readonly ComplexityRow[], sizes: readonly number[]): string {
  const sizeHeads = sizes.map((n) => (n >= 1000 ? `${n / 1000}k` : String(n)));
  const growthHeads = sizes.slice(1).map((n, i) => `${sizeHeads[i + 1]}/${sizeHeads[i]}`);
  const lines = [
    `| operation | n is | timing includes | ${sizeHeads.join(' | ')} | ${growthHeads.join(' | ')} | file write at largest | expected | verdict |`,
    `| --- | --- | --- | ${sizes.map(() => '---:').join(' | ')} | ${growthHeads.map(() => '---:').join(' | ')} | ---: | --- | --- |`,
  ];
  const notes: string[] = [];
  for (const r of rows) {
    const cells = sizes.map((n) => r.cells.find((c) => c.n === n));
    const growth = sizes.slice(1).map((n) => {
      const g = r.growth.find((x) => x.to === n);
      return g === undefined ? '–' : `${g.lowerBound ? '≥ ' : ''}${g.ratio.toFixed(1)}×`;
    });
    const largest = [...r.cells].reverse().find((c) => c.status === 'ok' && c.floorMs !== undefined);
    lines.push(
      `| ${r.op} | ${r.nIs} | ${INCLUDES[r.includes] ?? r.includes} | ${cells.map(cellText).join(' | ')} | ${growth.join(' | ')} | ${
        largest ? `${fmt(largest.floorMs)} @ ${largest.n / 1000}k` : '–'
      } | ${r.expected} | ${r.verdict} |`,
    );
    for (const c of r.cells) if (c.status === 'skipped' || c.status === 'timeout') notes.push(`${r.op} @ ${c.n.toLocaleString('en-US')}: ${c.reason}`);
  }
  const legend =
    `Each size runs in its own process on a fresh copy of the seed (file store, default durability, temp dir; the cold load is not timed). ` +
    `"commit" times include the lock, the write and the fsync of the whole session file; "file write at largest" is write-file-atomic + fsync of the same bytes ` +
    `(the part of a commit no code change can remove). A call running past ${RUN_TIMEOUT_MS / 1000} s is stopped; a size slower than ${SKIP_AFTER_MS / 1000} s skips the larger ones. ` +
    `Verdict: growth above ${SUPERLINEAR_RATIO}× per 10× size flags a superlinear operation (n log n gives about 13×); "≥" is a lower bound from a stopped run.`;
  return `${lines.join('\n')}\n\n${legend}\n${notes.length > 0 ? `\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}
