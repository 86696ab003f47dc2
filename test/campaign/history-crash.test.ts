/**
 * The history under SIGKILL (README "History"): 200 writers keeping a history (1,000 in long mode)
 * are killed one after another at random moments, mostly mid-commit; after every kill, the history
 * read through the session's commit sequence agrees with the session file: every landed commit has
 * its entries, none beyond the session's sequence shows, and the last status change and the last
 * claim change recorded for each task are its status and its claim. The writers change statuses
 * and take, renew, release and let expire leased claims.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_SEQ_KEY, TaskManager, readClaim, type HistoryEntry, type Task } from '../../src/index.js';
import { LONG, bundledLauncher, removeTempDirs, rng, startWorker, sumCounts, tempDir, type Launcher } from './harness.js';

afterAll(removeTempDirs);

const LANES = 2;
const KILLS = LONG ? 1000 : 200;
const STALE_MS = 2000;

/** Checks that the history of `session` tells the story of the session file. Returns its sequence. */
async function checkAgreement(manager: TaskManager, session: string): Promise<number> {
  const file = manager.sessionPath(session);
  if (!fs.existsSync(file)) {
    expect(await manager.history(session)).toEqual([]);
    return 0;
  }
  const seq = (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)[HISTORY_SEQ_KEY] as number;
  const tasks: Task[] = await manager.listTasks(session);
  const history: HistoryEntry[] = await manager.history(session);
  // Every landed commit, and nothing else, in order.
  const seqs = [...new Set(history.map((e) => e.seq))];
  expect(seqs).toEqual(Array.from({ length: seq }, (_, i) => seq - i));
  for (const task of tasks) {
    const own = history.filter((e) => e.task_id === task.id);
    expect(own.at(-1)?.change).toEqual({ type: 'created', name: task.name });
    const lastStatus = own.find((e) => e.change.type === 'status_changed');
    expect(lastStatus === undefined ? 'NotStarted' : (lastStatus.change as { to: string }).to).toBe(task.status);
    // The newest claim entry is the task's claim as stored: taken or renewed with its token and
    // expiry while it has one, released or expired once it has none.
    const lastClaim = own.find((e) => e.change.type.startsWith('claim_'))?.change;
    const claim = readClaim(task);
    if (claim !== null) {
      expect(['claim_taken', 'claim_renewed']).toContain(lastClaim?.type);
      expect(lastClaim).toMatchObject({ token: claim.token, expires_at: claim.expires_at });
    } else if (lastClaim !== undefined) {
      expect(['claim_released', 'claim_expired']).toContain(lastClaim.type);
    }
  }
  expect(new Set(history.map((e) => e.task_id))).toEqual(new Set(tasks.map((t) => t.id)));
  return seq;
}

describe('history under SIGKILL', () => {
  let launcher: Launcher;
  beforeAll(async () => {
    launcher = await bundledLauncher('history-writer', tempDir('bundle'));
  });

  it(`${KILLS} kills of writers mid-commit never leave history and session disagreeing`, { timeout: LONG ? 1_800_000 : 300_000 }, async () => {
    const runLane = async (lane: number): Promise<{ kills: number; staleLocks: number; commits: number; orphaned: number; claims: number }> => {
      const random = rng(104729 * (lane + 1));
      const baseDir = tempDir(`history${lane}`);
      const manager = new TaskManager(baseDir, { history: true });
      const lockDir = `${manager.sessionPath('h')}.lock`;
      let kills = 0;
      let staleLocks = 0;
      let commits = 0;
      let orphaned = 0;
      const historyFile = path.join(path.dirname(manager.sessionPath('h')), 'h.history.jsonl');
      for (let i = 0; i < KILLS / LANES; i++) {
        const worker = startWorker(launcher, { baseDir, session: 'h', staleMs: STALE_MS });
        await worker.waitForLine((l) => l === 'ready');
        await new Promise((r) => setTimeout(r, 5 + random() * 60));
        worker.child.kill('SIGKILL');
        const { signal } = await worker.exited;
        expect(signal, worker.stderr.join('')).toBe('SIGKILL');
        kills++;
        if (fs.existsSync(lockDir)) {
          staleLocks++;
          const past = new Date(Date.now() - STALE_MS - 5000);
          fs.utimesSync(lockDir, past, past);
        }
        commits = await checkAgreement(manager, 'h');
        // A kill between the history append and the session rename leaves entries beyond it.
        const raw = fs.existsSync(historyFile) ? fs.readFileSync(historyFile, 'utf8').split('\n') : [];
        if (raw.some((l) => l.startsWith('{') && l.endsWith('}') && (JSON.parse(l) as HistoryEntry).seq > commits)) orphaned++;
      }
      // A final commit here takes over any lock, trims what a killed commit left, and agrees too.
      const [first] = await manager.listTasks('h');
      if (first !== undefined) await manager.updateTaskStatus('h', first.id, first.status === 'Completed' ? 'InProgress' : 'Completed');
      else await manager.createTask('h', 'final', '');
      expect(await checkAgreement(manager, 'h')).toBe(commits + 1);
      const lines = fs.readFileSync(historyFile, 'utf8').trim().split('\n');
      expect(Math.max(...lines.map((l) => (JSON.parse(l) as HistoryEntry).seq))).toBe(commits + 1);
      const claims = (await manager.history('h')).filter((e) => e.change.type.startsWith('claim_')).length;
      return { kills, staleLocks, commits, orphaned, claims };
    };
    const lanes = await Promise.all(Array.from({ length: LANES }, (_, lane) => runLane(lane)));
    const total = sumCounts(lanes);
    console.info(`[campaign] history crash: ${JSON.stringify(total)}`);
    expect(total.kills).toBe(KILLS);
    // The kills landed inside commits, not only between them, and commits went on between kills.
    expect(total.staleLocks).toBeGreaterThan(0);
    expect(total.commits).toBeGreaterThan(KILLS);
    // Claims were part of the story the history had to keep.
    expect(total.claims).toBeGreaterThan(0);
  });
});
