/**
 * Campaign item 1: no lost updates across processes, across async callers, and readers that never
 * see an error or a partial list (README guarantees 1, 2, 3).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  TaskList,
  TaskManager,
  decodeTaskList,
  newExecutionEvidence,
  recordEvidence,
  type Task,
} from '../../src/index.js';
import type { WorkerReport } from '../workers/mixed-writer.js';
import { LONG, leftovers, removeTempDirs, startWorker, tempDir, tsxLauncher } from './harness.js';

afterAll(removeTempDirs);

const PROCESSES = LONG ? 16 : 8;
const OPS = LONG ? 600 : 200;

/**
 * A list is whole when, for every writer, the tasks it created are a prefix of its creations
 * (`w3-t0 … w3-tk`, each exactly once): a torn or half-merged list breaks that.
 */
function assertWhole(tasks: readonly Task[]): void {
  const seen = new Map<string, Set<number>>();
  for (const t of tasks) {
    const m = /^w(\d+)-t(\d+)$/.exec(t.name);
    if (!m) continue;
    const set = seen.get(m[1]!) ?? new Set<number>();
    if (set.has(Number(m[2]))) throw new Error(`task ${t.name} appears twice`);
    set.add(Number(m[2]));
    seen.set(m[1]!, set);
  }
  for (const [w, set] of seen) {
    for (let i = 0; i < set.size; i++) if (!set.has(i)) throw new Error(`worker ${w}: task t${i} missing while t${set.size} exists`);
  }
}

describe('concurrency across processes', () => {
  it(`${PROCESSES} processes × ${OPS} mixed changes on one session lose nothing, while readers poll`, { timeout: LONG ? 900_000 : 120_000 }, async () => {
    const baseDir = tempDir('procs');
    const outDir = tempDir('procs-out');
    const session = 'shared-session';
    const workers = Array.from({ length: PROCESSES }, (_, worker) =>
      startWorker(tsxLauncher('mixed-writer'), { baseDir, session, worker, workers: PROCESSES, ops: OPS, seed: 20240611, outDir }),
    );
    let running = true;
    const allExited = Promise.all(workers.map((w) => w.exited)).finally(() => {
      running = false;
    });

    // Readers in this process (other processes than the writers): a TaskManager and raw file reads.
    const reader = new TaskManager(baseDir);
    const file = reader.sessionPath(session);
    let reads = 0;
    const readerErrors: unknown[] = [];
    // Each poller checks its own reads: a read that starts after another ended sees at least as much.
    const poll = async (): Promise<void> => {
      let lastCount = 0;
      while (running) {
        try {
          const tasks = await reader.listTasks(session);
          if (tasks.length < lastCount) throw new Error(`list shrank from ${lastCount} to ${tasks.length}`);
          lastCount = tasks.length;
          assertWhole(tasks);
          if (fs.existsSync(file)) {
            const text = fs.readFileSync(file, 'utf8');
            assertWhole(decodeTaskList(text, file).tasks);
          }
          reads++;
        } catch (error) {
          readerErrors.push(error);
          if (readerErrors.length > 5) return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await Promise.all([poll(), poll(), allExited]);
    for (const w of workers) {
      const { code } = await w.exited;
      expect(code, w.stderr.join('')).toBe(0);
    }
    expect(readerErrors).toEqual([]);
    expect(reads).toBeGreaterThan(0);

    const reports = workers.map((_, i) => JSON.parse(fs.readFileSync(path.join(outDir, `w${i}.json`), 'utf8')) as WorkerReport);
    const fresh = new TaskManager(baseDir);
    const stored = await fresh.listTasks(session);
    const byId = new Map(stored.map((t) => [t.id, t]));
    const expected = reports.flatMap((r) => r.tasks);
    expect(stored.length).toBe(expected.length);
    for (const want of expected) {
      const got = byId.get(want.id);
      expect(got, want.name).toBeDefined();
      expect({ name: got!.name, description: got!.description, status: got!.status, blocked_by: got!.blocked_by }).toEqual({
        name: want.name,
        description: want.description,
        status: want.status,
        blocked_by: want.blocked_by,
      });
      if (want.role === 'meta') expect(got!.metadata).toEqual(want.metadata);
      else expect(await fresh.getExecutionState(session, want.id)).toEqual(want.executionState);
    }
    // The file validates on its own, and nothing is left beside it.
    const text = fs.readFileSync(file, 'utf8');
    expect(() => JSON.parse(text)).not.toThrow();
    expect(TaskList.fromJSON(JSON.parse(text)).tasks.length).toBe(expected.length);
    expect(leftovers(path.dirname(file))).toEqual([]);
    const totals: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.counts)) totals[k] = (totals[k] ?? 0) + v;
    console.info(`[campaign] ${PROCESSES} processes × ${OPS} ops: ${JSON.stringify(totals)}; ${stored.length} tasks; ${reads} clean reads`);
  });
});

describe('concurrency inside one process', () => {
  it('200 concurrent async callers on four managers lose nothing; readers never see a partial list', { timeout: 120_000 }, async () => {
    const baseDir = tempDir('async');
    const session = 'async';
    const managers = Array.from({ length: 4 }, () => new TaskManager(baseDir));
    const reader = new TaskManager(baseDir);
    let running = true;
    let lastCount = 0;
    const readerErrors: unknown[] = [];
    const poll = (async () => {
      while (running) {
        try {
          const n = (await reader.listTasks(session)).length;
          if (n < lastCount) throw new Error(`list shrank from ${lastCount} to ${n}`);
          lastCount = n;
        } catch (error) {
          readerErrors.push(error);
          return;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();

    const created = await Promise.all(
      Array.from({ length: 200 }, (_, i) => managers[i % 4]!.createTask(session, `task ${i}`, `description ${i}`)),
    );
    expect(new Set(created.map((t) => t.id)).size).toBe(200);

    // 200 more concurrent callers, each making a different kind of change to its own task.
    await Promise.all(
      created.map((task, i) => {
        const m = managers[(i * 7) % 4]!;
        switch (i % 4) {
          case 0:
            return m.updateTaskStatus(session, task.id, 'InProgress');
          case 1:
            return m.updateTaskMetadata(session, task.id, { caller: i });
          case 2:
            return m.addTaskDependency(session, task.id, created[i - 1]!.id);
          default:
            return m.updateExecutionState(session, task.id, (s) => {
              recordEvidence(s, newExecutionEvidence('build', `caller ${i}`, null, null, true));
            });
        }
      }),
    );
    running = false;
    await poll;
    expect(readerErrors).toEqual([]);

    const stored = await new TaskManager(baseDir).listTasks(session);
    expect(stored.map((t) => t.name).sort()).toEqual(created.map((t) => t.name).sort());
    const byId = new Map(stored.map((t) => [t.id, t]));
    created.forEach((task, i) => {
      const got = byId.get(task.id)!;
      if (i % 4 === 0) expect(got.status).toBe('InProgress');
      if (i % 4 === 1) expect(got.metadata).toEqual({ caller: i });
      if (i % 4 === 2) expect(got.blocked_by).toEqual([created[i - 1]!.id]);
      if (i % 4 === 3) expect((got.metadata as { execution_state: { build_succeeded: boolean } }).execution_state.build_succeeded).toBe(true);
    });
    expect(leftovers(path.dirname(reader.sessionPath(session)))).toEqual([]);
  });
});

describe('no stale reads', () => {
  it('a read sees every finished write, even same-size rewrites in the same clock tick (200 rounds, two managers)', { timeout: 120_000 }, async () => {
    const baseDir = tempDir('stale-read');
    const writer = new TaskManager(baseDir, { durability: 'none' });
    const reader = new TaskManager(baseDir, { durability: 'none' });
    const task = await writer.createTask('s', 'name-0000', 'x');
    for (let i = 1; i <= 200; i++) {
      expect((await reader.getTask('s', task.id))?.name).toBe(`name-${String(i - 1).padStart(4, '0')}`);
      // Same length every time: only the bytes (or the inode / time stamps) tell the versions apart.
      await writer.updateTask('s', task.id, `name-${String(i).padStart(4, '0')}`);
    }
    expect((await reader.getTask('s', task.id))?.name).toBe('name-0200');
  });
});
