/**
 * Campaign item 2: SIGKILL a writer at random moments, hundreds of times; after each kill the
 * session file parses and equals a committed state: the last one the worker logged, or the one
 * that was in flight (README guarantee 3). Stale locks and temporary files left by the dead are dealt with by
 * the next writer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskManager, decodeTaskList, type Task } from '../../src/index.js';
import { LONG, bundledLauncher, leftovers, removeTempDirs, rng, startWorker, sumCounts, tempDir, type Launcher } from './harness.js';

afterAll(removeTempDirs);

const LANES = 4;
const KILLS = LONG ? 1200 : 200;
const STALE_MS = 2000;

/** Names and statuses of the tasks after commit `k` of the crash writer, in list order. */
function expectedAfter(k: number): { name: string; status: string }[] {
  if (k === 0) return [];
  const out = [{ name: 'counter', status: 'NotStarted' }];
  for (let j = 1; j <= k; j++) {
    if (j % 5 === 0 && j + 4 <= k) continue;
    out.push({ name: `c${j}`, status: j % 3 === 2 && j + 1 <= k ? 'Completed' : 'NotStarted' });
  }
  return out;
}

function lastLogged(log: string): number {
  if (!fs.existsSync(log)) return 0;
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  return lines.length === 0 ? 0 : Number(lines[lines.length - 1]);
}

interface LaneStats {
  kills: number;
  staleLocks: number;
  tempFiles: number;
  inFlightCommits: number;
  commits: number;
}

/** The committed number the file holds after a kill, checked against the log and the history. */
function checkFile(file: string, logged: number): number {
  if (!fs.existsSync(file)) {
    expect(logged).toBe(0);
    return 0;
  }
  const text = fs.readFileSync(file, 'utf8');
  let tasks: readonly Task[];
  try {
    tasks = decodeTaskList(text, file).tasks;
  } catch (error) {
    throw new Error(`after a kill the file does not load (logged ${logged}): ${(error as Error).message}\n${text.slice(-300)}`);
  }
  expect(() => JSON.parse(text)).not.toThrow();
  const counter = tasks.find((t) => t.name === 'counter');
  const n = counter ? (counter.metadata as { n: number }).n : 0;
  expect([logged, logged + 1]).toContain(n);
  expect(tasks.map((t) => ({ name: t.name, status: t.status }))).toEqual(expectedAfter(n));
  return n;
}

describe('crash safety under SIGKILL', () => {
  let launcher: Launcher;
  beforeAll(async () => {
    launcher = await bundledLauncher('crash-writer', tempDir('bundle'));
  });

  it(`${KILLS} kills at random moments (${LANES} lanes in parallel) always leave a committed state`, { timeout: LONG ? 1_800_000 : 150_000 }, async () => {
    const runLane = async (lane: number): Promise<LaneStats> => {
      const random = rng(7919 * (lane + 1));
      const baseDir = tempDir(`crash${lane}`);
      const log = path.join(baseDir, 'commits.log');
      const manager = new TaskManager(baseDir);
      const file = manager.sessionPath('crash');
      const lockDir = `${file}.lock`;
      const stats: LaneStats = { kills: 0, staleLocks: 0, tempFiles: 0, inFlightCommits: 0, commits: 0 };
      for (let i = 0; i < KILLS / LANES; i++) {
        const worker = startWorker(launcher, { baseDir, session: 'crash', log, staleMs: STALE_MS });
        await worker.waitForLine((l) => l === 'ready');
        await new Promise((r) => setTimeout(r, random() * 60));
        worker.child.kill('SIGKILL');
        const { signal } = await worker.exited;
        expect(signal, worker.stderr.join('')).toBe('SIGKILL');
        stats.kills++;
        // The last state known committed: the worker's log, or what the file held after the previous
        // kill (a worker that died between its commit and its log line is followed by one that
        // continues from the file).
        const logged = Math.max(lastLogged(log), stats.commits);
        const n = checkFile(file, logged);
        if (n === logged + 1) stats.inFlightCommits++;
        stats.commits = n;
        if (fs.existsSync(lockDir)) {
          stats.staleLocks++;
          // Age the abandoned lock past staleMs instead of sleeping: the next writer's own stale
          // detection takes it over (the real-time takeover is measured in locks.test.ts).
          const past = new Date(Date.now() - STALE_MS - 5000);
          fs.utimesSync(lockDir, past, past);
        }
        stats.tempFiles += leftovers(path.dirname(file)).filter((n) => /\.json\.\d+$/.test(n)).length;
      }
      // A final commit in this process: takes over any lock, sweeps temporary files, continues history.
      await manager.createTask('crash', 'after the storm', 'final');
      const tasks = await manager.listTasks('crash');
      expect(tasks.map((t) => t.name).slice(0, -1)).toEqual(expectedAfter(stats.commits).map((t) => t.name));
      expect(leftovers(path.dirname(file))).toEqual([]);
      return stats;
    };
    const lanes = await Promise.all(Array.from({ length: LANES }, (_, lane) => runLane(lane)));
    const total = sumCounts(lanes);
    console.info(`[campaign] crash: ${JSON.stringify(total)}`);
    expect(total.kills).toBeGreaterThanOrEqual(200);
    // The kills really landed inside commits, not only between them.
    expect(total.staleLocks).toBeGreaterThan(0);
    expect(total.commits).toBeGreaterThan(total.kills / 4);
  });
});
