/**
 * Writers on the PostgreSQL store killed with SIGKILL in the middle of a transaction never leave a
 * partial commit (README guarantees, "Many machines"): each commit changes many rows together, and
 * after every kill the stored session is exactly the state after some commit k, with
 * (last acknowledged) ≤ k ≤ (last started). With history on, the history holds exactly the changes
 * of commits 1…k. Five lanes (sessions) run side by side, ten kills each.
 */
import { describe, expect, it } from 'vitest';
import { TaskManager, type Task } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { bundleWorker } from './helpers/bundle-worker.js';
import { startNode } from './helpers/live-child.js';
import { postgresStore, testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';

const WIDTH = 8; // tasks renamed and re-annotated together by every commit
const LANES = 5;
const KILLS_PER_LANE = 10;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const lastNumber = (lines: readonly string[], word: string): number => {
  let n = -1;
  for (const line of lines) if (line.startsWith(`${word} `)) n = Math.max(n, Number(line.slice(word.length + 1)));
  return n;
};

/** The c-tasks that exist after commit n: c1…cn except c(i) deleted by commit i+2 (i % 4 === 2). */
function expectedCounters(n: number): string[] {
  const names: string[] = [];
  for (let i = 1; i <= n; i++) if (!(i % 4 === 2 && i + 2 <= n)) names.push(`c${i}`);
  return names;
}

/** Checks the whole session is the state after one commit; returns that commit's number. */
function committedState(tasks: readonly Task[]): number {
  const wide = tasks.filter((t) => /^w\d+@/.test(t.name));
  expect(wide).toHaveLength(WIDTH);
  const n = Number(wide[0]!.name.split('@')[1]);
  for (let j = 0; j < WIDTH; j++) {
    const task = wide.find((t) => t.name.startsWith(`w${j}@`));
    expect(task?.name).toBe(`w${j}@${n}`);
    expect((task?.metadata as { n: number } | null)?.n).toBe(n);
  }
  expect(tasks.filter((t) => /^c\d+$/.test(t.name)).map((t) => t.name)).toEqual(expectedCounters(n));
  expect(tasks).toHaveLength(WIDTH + expectedCounters(n).length);
  return n;
}

interface LaneResult {
  kills: number;
  /** Kills after the write statement went out and before COMMIT did (none since both go in one round trip). */
  afterWriteBeforeCommit: number;
  /** Kills after COMMIT went out and before its answer came back. */
  commitInFlight: number;
  /** Kills whose transaction did not land. */
  rolledBack: number;
  /** Kills whose transaction landed though the writer never heard back. */
  landedUnacknowledged: number;
  commits: number;
}

async function runLane(schema: string, session: string, history: boolean, reader: TaskManager): Promise<LaneResult> {
  const worker = await bundleWorker('test/workers/pg-kill-writer.ts');
  const env = { ...process.env, GESTURA_TEST_DATABASE_URL: testDatabaseUrl() };
  const result: LaneResult = { kills: 0, afterWriteBeforeCommit: 0, commitInFlight: 0, rolledBack: 0, landedUnacknowledged: 0, commits: 0 };
  let acknowledged = 0;
  for (let kill = 0; kill < KILLS_PER_LANE; kill++) {
    const writer = startNode([worker, JSON.stringify({ schema, session, history })], env);
    const ready = Number((await writer.waitForLine((l) => l.startsWith('ready '))).slice('ready '.length));
    // Let it commit a few times, then kill it inside a transaction: some moments after it began,
    // as its write statement goes out, or as its COMMIT goes out.
    const target = ready + 1 + Math.floor(Math.random() * 3);
    const mode = kill % 3;
    if (mode === 0) {
      await writer.waitForLine((l) => l === `tx ${target}`);
      await sleep(Math.random() * 6);
    } else {
      await writer.waitForLine((l) => l === `commit ${target}` || (mode === 1 && l === `write ${target}`));
    }
    writer.child.kill('SIGKILL');
    const exit = await writer.exited;
    expect(exit.signal, writer.stderr()).toBe('SIGKILL');
    result.kills++;
    acknowledged = Math.max(acknowledged, lastNumber(writer.lines, 'ok'));
    const started = lastNumber(writer.lines, 'tx');

    // A COMMIT the writer sent just before it died may still be on its way: wait until the
    // server has finished with the dead writer's transaction (taking the session lock does).
    await reader.batch(session, () => undefined);
    const n = committedState(await reader.listTasks(session));
    expect(n).toBeGreaterThanOrEqual(acknowledged);
    expect(n).toBeLessThanOrEqual(started);
    // A transaction whose COMMIT was never sent never lands.
    const commitSent = writer.lines.includes(`commit ${started}`);
    if (!commitSent) expect(n).toBe(started - 1);
    if (writer.lines.includes(`write ${started}`) && !commitSent) result.afterWriteBeforeCommit++;
    if (commitSent && !writer.lines.includes(`ok ${started}`)) result.commitInFlight++;
    if (n === started && n > lastNumber(writer.lines, 'ok')) result.landedUnacknowledged++;
    if (n < started) result.rolledBack++;
    result.commits = n;
    if (history) {
      const entries = await reader.history(session);
      // Exactly the changes of the set-up commit and commits 1…n, one sequence number per commit.
      expect(new Set(entries.map((e) => e.seq))).toEqual(new Set(Array.from({ length: n + 1 }, (_, i) => i + 1)));
      const created = entries.filter((e) => e.change.type === 'created').map((e) => (e.change as { name: string }).name);
      const wantCreated = [...Array.from({ length: WIDTH }, (_, j) => `w${j}@0`), ...Array.from({ length: n }, (_, i) => `c${i + 1}`)];
      expect(created.sort()).toEqual(wantCreated.sort());
      const renamed = entries.filter((e) => e.change.type === 'renamed').length;
      expect(renamed).toBe(WIDTH * n);
      const deleted = entries.filter((e) => e.change.type === 'deleted').map((e) => (e.change as { name: string }).name);
      const counters = new Set(expectedCounters(n));
      expect(deleted.sort()).toEqual(Array.from({ length: n }, (_, i) => `c${i + 1}`).filter((c) => !counters.has(c)).sort());
    }
  }
  return result;
}

describe('PostgreSQL store: writers killed mid-transaction', () => {
  it(`${LANES * KILLS_PER_LANE} SIGKILLs of writers inside a transaction: never a partial commit, nothing acknowledged is lost`, async () => {
    const schema = uniqueSchema('kills');
    const setup = [false, true].map((history) => new TaskManager('.', { store: postgresStore({ schema, history }) }));
    const lanes = Array.from({ length: LANES }, (_, i) => ({ session: `lane-${i}`, history: i % 2 === 0 }));
    for (const lane of lanes) {
      await setup[lane.history ? 1 : 0]!.batch(lane.session, (tx) => {
        for (let j = 0; j < WIDTH; j++) tx.updateTaskMetadata(tx.createTask(`w${j}@0`, 'renamed by every commit').id, { n: 0 });
      });
    }
    // Readers on their own pools: they see only what the server holds (nothing cached from the writers).
    const readers = lanes.map((lane) => new PostgresTaskStore({ connectionString: testDatabaseUrl() }, { schema, history: lane.history }));
    try {
      const results = await Promise.all(lanes.map((lane, i) => runLane(schema, lane.session, lane.history, new TaskManager('.', { store: readers[i]! }))));
      const total = results.reduce((a, r) => Object.fromEntries(Object.entries(a).map(([key, v]) => [key, v + r[key as keyof LaneResult]])) as unknown as LaneResult);
      expect(total.kills).toBe(LANES * KILLS_PER_LANE);
      // For the record (README "Many machines"): how the kills fell.
      console.info(`postgres kills: ${JSON.stringify(total)}`);
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
  }, 180_000);
});
