/**
 * What the session history costs (README "History", docs/decisions.md), file store, default
 * durability (fsync), a session of 1,000 tasks (the `tree4` shape) whose history already holds
 * 10,000 entries:
 *
 * - a commit (`updateTaskStatus` on a leaf) without history and with it, interleaved sample by
 *   sample in two directories so a shared machine's load hits both alike: the extra cost of
 *   history per commit;
 * - a leased claim (`claimTask` with a lease), a renewal (`renewClaim`), a release;
 * - a history read: the whole history, one task's, the newest 50; by a warm manager (it read the
 *   file before: only new bytes are read) and by a fresh one (a CLI call: the whole file).
 *
 * Standalone: `node --expose-gc --import tsx bench/history-cost.ts [--quick]`; also a section of
 * `npm run bench` (see sections.ts).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HISTORY_SEQ_KEY, TaskManager, readClaim, type HistoryEntry } from '../src/index.js';
import { historyFileOf } from '../src/store/history-file.js';
import { SESSION, shapeBytes, tid } from './complexity-ops.js';
import { fmt, since, stats, type Stats } from './stats.js';

const TASKS = 1_000;
const ENTRIES = 10_000;

export interface HistoryCostRow {
  readonly what: string;
  readonly time: Stats;
}

export interface HistoryCostResult {
  readonly tasks: number;
  readonly historyEntries: number;
  readonly commitWithout: Stats;
  readonly commitWith: Stats;
  /** Median with / median without, minus one. */
  readonly extra: number;
  /** Median of the per-pair ratios, minus one. */
  readonly pairedExtra: number;
  readonly rows: HistoryCostRow[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A session of `TASKS` tasks under `base`; with `entries`, a history file of that many landed entries. */
async function seed(base: string, entries: number): Promise<void> {
  const file = new TaskManager(base).sessionPath(SESSION);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const data = JSON.parse((shapeBytes('tree4', TASKS) as Buffer).toString('utf8')) as Record<string, unknown>;
  if (entries > 0) {
    data[HISTORY_SEQ_KEY] = entries;
    const lines: string[] = [];
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let seq = 1; seq <= entries; seq++) {
      const entry: HistoryEntry = {
        seq,
        time: new Date(start + seq * 1000).toISOString(),
        operation: 'updateTaskStatus',
        task_id: tid(seq % TASKS),
        actor: `agent-${seq % 8}`,
        change: { type: 'status_changed', from: seq % 2 === 0 ? 'NotStarted' : 'InProgress', to: seq % 2 === 0 ? 'InProgress' : 'NotStarted' },
      };
      lines.push(`${JSON.stringify(entry)}\n`);
    }
    await fs.writeFile(historyFileOf(file), lines.join(''));
  }
  await fs.writeFile(file, JSON.stringify(data, null, 2));
}

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples.push(since(t0));
  }
  return stats(samples);
}

export async function runHistoryCost(opts: { quick: boolean }): Promise<{ markdown: string; json: HistoryCostResult }> {
  const iterations = opts.quick ? 40 : 200;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gt-history-cost-'));
  try {
    const plainDir = path.join(tmp, 'plain');
    const histDir = path.join(tmp, 'history');
    await seed(plainDir, 0);
    await seed(histDir, ENTRIES);
    const plain = new TaskManager(plainDir);
    // The retention the history is kept with by default: the newest 10,000.
    const kept = new TaskManager(histDir, { history: true });
    const leaf = (i: number): string => tid(TASKS - 1 - (i % 10));
    const status = (i: number): string => (Math.floor(i / 10) % 2 === 0 ? 'InProgress' : 'NotStarted');
    await plain.getTask(SESSION, tid(0));
    await kept.getTask(SESSION, tid(0));
    await sleep(70);
    for (let i = 0; i < 3; i++) {
      await plain.updateTaskStatus(SESSION, leaf(i), status(i));
      await kept.updateTaskStatus(SESSION, leaf(i), status(i));
    }
    const without: number[] = [];
    const withHistory: number[] = [];
    const pairs: number[] = [];
    for (let i = 3; i < iterations + 3; i++) {
      let t0 = process.hrtime.bigint();
      await plain.updateTaskStatus(SESSION, leaf(i), status(i));
      const a = since(t0);
      t0 = process.hrtime.bigint();
      await kept.updateTaskStatus(SESSION, leaf(i), status(i));
      const b = since(t0);
      without.push(a);
      withHistory.push(b);
      pairs.push(b / a);
    }
    const commitWithout = stats(without);
    const commitWith = stats(withHistory);

    // Claims on the history-keeping session: tasks 100.. are leaves of tree4 at this size? Claim
    // whatever is ready, by id, so each sample claims a task nobody holds.
    const rows: HistoryCostRow[] = [];
    const ready = (await kept.readyTasks(SESSION)).map((t) => t.id);
    const n = Math.min(opts.quick ? 20 : 100, ready.length);
    const tokens: number[] = [];
    rows.push({
      what: 'claimTask with a lease',
      time: await timeEach(n, async (i) => {
        const task = await kept.claimTask(SESSION, ready[i] as string, `agent-${i % 8}`, { leaseMs: 600_000 });
        tokens.push(readClaim(task)!.token);
      }),
    });
    rows.push({ what: 'renewClaim', time: await timeEach(n, (i) => kept.renewClaim(SESSION, ready[i] as string, tokens[i] as number)) });
    rows.push({ what: 'releaseClaim', time: await timeEach(n, (i) => kept.releaseClaim(SESSION, ready[i] as string, tokens[i] as number)) });
    const reads = opts.quick ? 10 : 30;
    rows.push({ what: `history() — all ${ENTRIES.toLocaleString('en-US')} kept, warm manager`, time: await timeEach(reads, () => kept.history(SESSION)) });
    rows.push({ what: 'history({ taskId }), warm manager', time: await timeEach(reads, () => kept.history(SESSION, { taskId: leaf(0) })) });
    rows.push({ what: 'history({ limit: 50 }), warm manager', time: await timeEach(reads, () => kept.history(SESSION, { limit: 50 })) });
    rows.push({
      what: 'history({ limit: 50 }), fresh manager (a CLI call)',
      time: await timeEach(reads, () => new TaskManager(histDir, { history: true }).history(SESSION, { limit: 50 })),
    });
    rows.push({
      what: 'first commit of a fresh manager (a CLI call), with history',
      time: await timeEach(reads, (i) => new TaskManager(histDir, { history: true }).updateTaskStatus(SESSION, leaf(i), status(i))),
    });
    rows.push({
      what: 'first commit of a fresh manager (a CLI call), without history',
      time: await timeEach(reads, (i) => new TaskManager(plainDir).updateTaskStatus(SESSION, leaf(i), status(i))),
    });

    const extra = commitWith.medianMs / commitWithout.medianMs - 1;
    const pairedExtra = stats(pairs).medianMs - 1;
    const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
    const lines = [
      `Session of ${TASKS.toLocaleString('en-US')} tasks, history of ${ENTRIES.toLocaleString('en-US')} entries, file store, fsync; ${iterations} interleaved commits (updateTaskStatus).`,
      '',
      '| | median | p95 |',
      '| --- | ---: | ---: |',
      `| commit without history | ${fmt(commitWithout.medianMs)} | ${fmt(commitWithout.p95Ms)} |`,
      `| commit with history | ${fmt(commitWith.medianMs)} | ${fmt(commitWith.p95Ms)} |`,
      `| extra cost of history | ${pct(extra)} (paired: ${pct(pairedExtra)}) | |`,
      ...rows.map((r) => `| ${r.what} | ${fmt(r.time.medianMs)} | ${fmt(r.time.p95Ms)} |`),
      '',
    ];
    return {
      markdown: lines.join('\n'),
      json: { tasks: TASKS, historyEntries: ENTRIES, commitWithout, commitWith, extra, pairedExtra, rows },
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { markdown } = await runHistoryCost({ quick: process.argv.includes('--quick') });
  process.stdout.write(markdown);
}
