/**
 * Mutation vs disk floor: `updateTaskStatus` back to back (a leaf toggled between InProgress and
 * NotStarted) on sessions of 100, 1,000 and 10,000 tasks, against the floor: the same bytes
 * written to a new temporary file, fsynced and renamed, with no other system call
 * ({@link floorCommit}; write-file-atomic would add a realpath, a stat, chown and chmod).
 *
 * The two are interleaved sample by sample, so that a shared machine's changing load hits both
 * alike; the table gives the ratio of the medians and the median of the per-pair ratios (the more
 * robust of the two when the load drifts). Goals: ≤ 1.5× at 1,000 tasks, ≤ 2× at 10,000.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { TaskManager } from '../src/index.js';
import { floorCommit } from './commit-breakdown.js';
import { SESSION, shapeBytes, tid } from './complexity-ops.js';
import { fmt, since, stats, type Stats } from './stats.js';

/** Goal ratio by session size. */
export const MUTATION_GOALS: ReadonlyMap<number, number> = new Map([
  [1_000, 1.5],
  [10_000, 2],
]);

export interface MutationRatio {
  op: string;
  tasks: number;
  time: Stats;
  floor: Stats;
  /** Median of the operation / median of the floor. */
  ratio: number;
  /** Median of the per-pair ratios. */
  pairedRatio: number;
  goal: number | null;
  met: boolean | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function measureSize(n: number, iterations: number, tmp: string): Promise<MutationRatio> {
  const base = path.join(tmp, `mutation-${n}`);
  const manager = new TaskManager(base);
  const file = manager.sessionPath(SESSION);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, shapeBytes('tree4', n) as Buffer);
  const leaf = (i: number): string => tid(n - 1 - (i % Math.min(10, n)));
  const status = (i: number): string => (Math.floor(i / Math.min(10, n)) % 2 === 0 ? 'InProgress' : 'NotStarted');
  await manager.getTask(SESSION, tid(0));
  await sleep(70);
  for (let i = 0; i < 3; i++) await manager.updateTaskStatus(SESSION, leaf(i), status(i));
  const bytes = await fs.readFile(file);
  const target = path.join(tmp, `floor-${n}.json`);
  for (let i = 0; i < 3; i++) await floorCommit(target, bytes);
  const op: number[] = [];
  const floor: number[] = [];
  const pairs: number[] = [];
  for (let i = 3; i < iterations + 3; i++) {
    let t0 = process.hrtime.bigint();
    await manager.updateTaskStatus(SESSION, leaf(i), status(i));
    const a = since(t0);
    t0 = process.hrtime.bigint();
    await floorCommit(target, bytes);
    const b = since(t0);
    op.push(a);
    floor.push(b);
    pairs.push(a / b);
  }
  const time = stats(op);
  const f = stats(floor);
  const goal = MUTATION_GOALS.get(n) ?? null;
  const ratio = time.medianMs / f.medianMs;
  return { op: 'updateTaskStatus', tasks: n, time, floor: f, ratio, pairedRatio: stats(pairs).medianMs, goal, met: goal === null ? null : ratio <= goal };
}

export async function runMutationRatios(opts: { quick: boolean; tmp: string }): Promise<MutationRatio[]> {
  const out: MutationRatio[] = [];
  for (const [n, k] of [
    [100, 200],
    [1_000, 200],
    [10_000, 40],
  ] as const) {
    const r = await measureSize(n, opts.quick ? Math.ceil(k / 6) : k, opts.tmp);
    process.stderr.write(`  updateTaskStatus @ ${n}: ${fmt(r.time.medianMs)} vs floor ${fmt(r.floor.medianMs)} (${r.ratio.toFixed(2)}×)\n`);
    out.push(r);
  }
  return out;
}

export function mutationMarkdown(ratios: readonly MutationRatio[]): string {
  const lines = [
    '| mutation (back to back) | tasks | median | p90 | floor median | floor p90 | ratio of medians | median pair ratio | goal | met |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const m of ratios) {
    lines.push(
      `| ${m.op} | ${m.tasks.toLocaleString('en-US')} | ${fmt(m.time.medianMs)} | ${fmt(m.time.p90Ms)} | ${fmt(m.floor.medianMs)} | ${fmt(m.floor.p90Ms)} | ${m.ratio.toFixed(2)}× | ${m.pairedRatio.toFixed(2)}× | ${
        m.goal === null ? '–' : `≤ ${m.goal}×`
      } | ${m.met === null ? '–' : m.met ? 'yes' : 'no'} |`,
    );
  }
  const n = ratios[0]?.time.n ?? 0;
  return (
    `${lines.join('\n')}\n\n${n} pairs per size (a 4-ary tree, a leaf's status toggled; its ancestors are reconciled). ` +
    `Floor: the same bytes written to a new temporary file, fsynced and renamed (nothing else), each sample right after a mutation, in the same run.\n`
  );
}
