/**
 * Campaign item 2 (locks): a lock left by a killed process is taken over after a bounded time; a
 * lock whose owner is alive is never taken, however long it holds it.
 *
 * The bound: proper-lockfile counts a lock as abandoned once its directory's mtime is older than
 * `lock.staleMs` (default 10 s, at least 2 s; configurable per TaskManager). The holder refreshes
 * the mtime every staleMs / 2; on its first lock a process probes the file system's mtime
 * precision by setting the mtime to the next whole second + 5 ms, so the mtime can sit up to ~1 s
 * in the future. A dead holder's lock is therefore taken over at most staleMs + ~1 s after its
 * death, plus one retry step (≤ 50 ms); measured: ~2.5 s with staleMs 2000. The test allows
 * staleMs + 5 s.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { TaskIoError, TaskManager } from '../../src/index.js';
import { removeTempDirs, startWorker, tempDir, tsxLauncher } from './harness.js';

afterAll(removeTempDirs);

const STALE_MS = 2000;

describe('cross-process locks', () => {
  it('takes over the lock of a killed holder within staleMs + 5 s, and the dead batch never lands', { timeout: 60_000 }, async () => {
    const baseDir = tempDir('stale');
    const holder = startWorker(tsxLauncher('lock-holder'), { baseDir, session: 's', holdMs: 600_000, staleMs: STALE_MS, name: 'never committed' });
    await holder.waitForLine((l) => l === 'locked');
    const manager = new TaskManager(baseDir, { lock: { staleMs: STALE_MS, timeoutMs: 30_000 } });
    const file = manager.sessionPath('s');
    holder.child.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();
    expect(fs.existsSync(`${file}.lock`)).toBe(true);
    await manager.createTask('s', 'after takeover', 'x');
    const waited = Date.now() - killedAt;
    console.info(`[campaign] stale lock (staleMs ${STALE_MS}) taken over ${waited} ms after the holder was killed`);
    expect(waited).toBeLessThan(STALE_MS + 5000);
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['after takeover']);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('never steals a live lock held for 3 × staleMs: the waiter commits after the holder, both changes kept', { timeout: 60_000 }, async () => {
    const baseDir = tempDir('live');
    const holder = startWorker(tsxLauncher('lock-holder'), { baseDir, session: 's', holdMs: 3 * STALE_MS, staleMs: STALE_MS, name: 'holder' });
    await holder.waitForLine((l) => l === 'locked');
    const manager = new TaskManager(baseDir, { lock: { staleMs: STALE_MS, timeoutMs: 30_000 } });
    const order: string[] = [];
    void holder.waitForLine((l) => l === 'committed').then(() => order.push('holder committed'), () => undefined);
    await manager.createTask('s', 'waiter', 'x');
    order.push('waiter committed');
    const { code } = await holder.exited;
    expect(code, holder.stderr.join('')).toBe(0);
    expect(order).toEqual(['holder committed', 'waiter committed']);
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['holder', 'waiter']);
  });

  it('a waiter gives up with a TaskIoError naming the file once timeoutMs passes, and writes nothing', { timeout: 60_000 }, async () => {
    const baseDir = tempDir('timeout');
    const holder = startWorker(tsxLauncher('lock-holder'), { baseDir, session: 's', holdMs: 5000, staleMs: STALE_MS, name: 'holder' });
    await holder.waitForLine((l) => l === 'locked');
    const manager = new TaskManager(baseDir, { lock: { staleMs: STALE_MS, timeoutMs: 1000 } });
    const file = manager.sessionPath('s');
    const error = await manager.createTask('s', 'impatient', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskIoError);
    expect((error as TaskIoError).message).toContain(file);
    expect((await holder.exited).code).toBe(0);
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['holder']);
  });
});
