/**
 * One row of the complexity table at one size, in its own process so that the runner can stop it
 * when it runs past its time budget (a CPU-bound call cannot be interrupted in-process).
 *
 * Argument: a JSON {@link WorkerJob}. Output: one JSON line per phase on stdout —
 * `{"phase":"setup"}`, `{"phase":"run"}` (timing starts), then `{"result":WorkerResult}`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { TaskManager } from '../src/index.js';
import { OPS, SESSION, type OpSpec } from './complexity-ops.js';
import { since, stats, type Stats } from './stats.js';

export interface WorkerJob {
  /** Row name (an entry of OPS). */
  op: string;
  n: number;
  /** Seed session file to copy in, or null for no session file. */
  seed: string | null;
  /** A fresh directory of this job's own. */
  dir: string;
  iterations: number;
  /** Stop iterating once the timed samples add up to this (at least one sample is taken). */
  budgetMs: number;
}

export interface WorkerResult {
  time: Stats;
  /** Write-file-atomic + fsync of the session file the operation left (commits only). */
  floor: Stats | null;
  /** The session file's size after the run, bytes. */
  fileBytes: number | null;
  /** A short description of the last call's result (e.g. the error class of a refused call). */
  outcome: string;
}

const emit = (message: unknown): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return value.length > 40 ? `string(${value.length})` : value;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'object') return 'object';
  return String(value);
}

async function freshManager(job: WorkerJob, k: number): Promise<TaskManager> {
  const base = path.join(job.dir, `b${k}`);
  const manager = new TaskManager(base);
  if (job.seed !== null) {
    const file = manager.sessionPath(SESSION);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.copyFile(job.seed, file);
    await manager.getTask(SESSION, 'warm-up'); // the cold load, untimed
    await sleep(70); // past the store's racy window, so the next read trusts the file's stat
  }
  return manager;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] as string) as WorkerJob;
  const op = OPS.find((o) => o.name === job.op) as OpSpec;
  if (op === undefined) throw new Error(`unknown operation '${job.op}'`);
  emit({ phase: 'setup' });
  let manager = await freshManager(job, 0);
  if (!op.fresh) {
    // One untimed call first (compiles the code path), unless the operation consumes its state; an odd
    // index no timed call uses, so toggles start from the other side.
    const input = await op.prepare?.(job.n, 2 * job.iterations + 1, manager);
    await op.run({ manager, n: job.n, input }, 2 * job.iterations + 1);
  }
  const samples: number[] = [];
  let outcome: unknown;
  let total = 0;
  for (let i = 0; i < job.iterations && (i === 0 || total < job.budgetMs); i++) {
    if (op.fresh && i > 0) {
      emit({ phase: 'setup' });
      manager = await freshManager(job, i);
    }
    const input = await op.prepare?.(job.n, i, manager);
    emit({ phase: 'run' });
    const t0 = process.hrtime.bigint();
    outcome = await op.run({ manager, n: job.n, input }, i);
    const ms = since(t0);
    samples.push(ms);
    total += ms;
  }
  let floor: Stats | null = null;
  let fileBytes: number | null = null;
  if (job.seed !== null || op.includes === 'commit') {
    const bytes = await fs.readFile(manager.sessionPath(SESSION)).catch(() => null);
    fileBytes = bytes?.length ?? null;
    if (bytes !== null && op.includes === 'commit') {
      const target = path.join(job.dir, 'floor.json');
      const floorSamples: number[] = [];
      for (let i = 0; i < Math.min(5, samples.length + 2); i++) {
        const t0 = process.hrtime.bigint();
        await writeFileAtomic(target, bytes, { fsync: true });
        floorSamples.push(since(t0));
      }
      floor = stats(floorSamples);
    }
  }
  const result: WorkerResult = { time: stats(samples), floor, fileBytes, outcome: describe(outcome) };
  emit({ result });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  emit({ error: message.slice(0, 300) });
  process.exitCode = 1;
});
