/**
 * A commit that lost its lock, or whose file changed under it, writes nothing and fails with a
 * TaskIoError (README guarantee 1, "Locks"). The lock is refreshed from the event loop, so a holder
 * that computes synchronously for longer than staleMs, or is stopped, loses it to another process;
 * the store checks ownership and the file's version as the last step before its rename.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TaskIoError, TaskManager } from '../src/index.js';
import { removeTempDirs, startWorker, tempDir, tsxLauncher } from './campaign/harness.js';

afterAll(removeTempDirs);

const STALE_MS = 2000;

interface Outcome {
  ok: boolean;
  isTaskError?: boolean;
  kind?: string;
  message?: string;
}

async function outcomeOf(worker: ReturnType<typeof startWorker>): Promise<Outcome> {
  const line = await worker.waitForLine((l) => l.startsWith('{'));
  await worker.exited;
  return JSON.parse(line) as Outcome;
}

describe('a holder that lost its lock', () => {
  it('a holder whose event loop was blocked past staleMs writes nothing; the process that took the lock keeps its commit', { timeout: 60_000 }, async () => {
    const baseDir = tempDir('fence-busy');
    const goFile = path.join(baseDir, 'go');
    const holder = startWorker(tsxLauncher('stalled-holder'), { baseDir, session: 's', staleMs: STALE_MS, mode: 'busy', goFile, holdMs: 0 });
    await holder.waitForLine((l) => l === 'locked');
    // This process waits for the lock, finds it abandoned (never refreshed) and takes it over.
    const thief = new TaskManager(baseDir, { lock: { staleMs: STALE_MS, timeoutMs: 30_000 } });
    await thief.createTask('s', 'thief', 'committed after taking over the lock');
    fs.writeFileSync(goFile, '');
    const outcome = await outcomeOf(holder);
    expect(outcome).toMatchObject({ ok: false, isTaskError: true, kind: 'Io' });
    expect(outcome.message).toMatch(/lost the lock/);
    expect((await new TaskManager(baseDir).listTasks('s')).map((t) => t.name)).toEqual(['thief']);
    expect(fs.readdirSync(path.dirname(thief.sessionPath('s')))).toEqual(['s.json']);
  });

  it('the holder that lost its lock leaves the new holder’s lock in place, and the new holder commits', { timeout: 60_000 }, async () => {
    const baseDir = tempDir('fence-release');
    const goFile = path.join(baseDir, 'go');
    const holder = startWorker(tsxLauncher('stalled-holder'), { baseDir, session: 's', staleMs: STALE_MS, mode: 'busy', goFile, holdMs: 0 });
    await holder.waitForLine((l) => l === 'locked');
    const thief = new TaskManager(baseDir, { lock: { staleMs: STALE_MS, timeoutMs: 30_000 } });
    const lockDir = `${thief.sessionPath('s')}.lock`;
    const outcome = await thief.batch('s', async (tx) => {
      tx.createTask('thief', 'committed while the old holder gave up');
      fs.writeFileSync(goFile, '');
      const result = await outcomeOf(holder); // the old holder fails and releases while we hold the lock
      expect(fs.existsSync(lockDir)).toBe(true);
      return result;
    });
    expect(outcome).toMatchObject({ ok: false, kind: 'Io' });
    expect((await thief.listTasks('s')).map((t) => t.name)).toEqual(['thief']);
    expect(fs.existsSync(lockDir)).toBe(false);
  });

  it('a holder stopped (SIGSTOP) past staleMs and resumed writes nothing', { timeout: 60_000 }, async () => {
    const baseDir = tempDir('fence-stop');
    const holder = startWorker(tsxLauncher('stalled-holder'), { baseDir, session: 's', staleMs: STALE_MS, mode: 'sleep', goFile: '', holdMs: 1500 });
    await holder.waitForLine((l) => l === 'locked');
    holder.child.kill('SIGSTOP');
    try {
      const thief = new TaskManager(baseDir, { lock: { staleMs: STALE_MS, timeoutMs: 30_000 } });
      await thief.createTask('s', 'thief', 'committed while the holder was stopped');
    } finally {
      holder.child.kill('SIGCONT');
    }
    const outcome = await outcomeOf(holder);
    expect(outcome).toMatchObject({ ok: false, isTaskError: true, kind: 'Io' });
    expect((await new TaskManager(baseDir).listTasks('s')).map((t) => t.name)).toEqual(['thief']);
  });
});

/** The bytes of a valid session file for `s` holding one task named `name`, made by another manager. */
async function foreignFile(name: string): Promise<Buffer> {
  const elsewhere = new TaskManager(tempDir('fence-foreign'));
  await elsewhere.createTask('s', name, 'written by someone else');
  return fs.readFileSync(elsewhere.sessionPath('s'));
}

/** Puts `bytes` in place of `file` the way a writer does (a new file renamed over it). */
function replaceFile(file: string, bytes: Buffer): void {
  fs.writeFileSync(`${file}.foreign`, bytes);
  fs.renameSync(`${file}.foreign`, file);
}

describe('a file that changed during the commit', () => {
  it('is not overwritten: the commit fails with a TaskIoError and the other writer’s file stays', async () => {
    const baseDir = tempDir('fence-changed');
    const manager = new TaskManager(baseDir);
    await manager.createTask('s', 'mine', '');
    const file = manager.sessionPath('s');
    const foreign = await foreignFile('theirs');
    const error = await manager
      .batch('s', (tx) => {
        tx.createTask('lost?', '');
        replaceFile(file, foreign); // as a process that took the lock would
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskIoError);
    expect((error as TaskIoError).message).toMatch(/changed during this commit; nothing was written/);
    expect(fs.readFileSync(file)).toEqual(foreign);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['s.json']);
    // The next commit reads the new file and builds on it.
    await manager.createTask('s', 'next', '');
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['theirs', 'next']);
  });

  it('a session created by someone else during the commit of a new session is not overwritten', async () => {
    const baseDir = tempDir('fence-created');
    const manager = new TaskManager(baseDir);
    const file = manager.sessionPath('s');
    const foreign = await foreignFile('theirs');
    const error = await manager
      .batch('s', (tx) => {
        tx.createTask('lost?', '');
        replaceFile(file, foreign);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskIoError);
    expect(fs.readFileSync(file)).toEqual(foreign);
  });

  it('a session file deleted during the commit is not recreated from the stale copy', async () => {
    const baseDir = tempDir('fence-deleted');
    const manager = new TaskManager(baseDir);
    await manager.createTask('s', 'mine', '');
    const file = manager.sessionPath('s');
    const error = await manager.batch('s', (tx) => {
      tx.createTask('lost?', '');
      fs.unlinkSync(file);
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskIoError);
    expect(fs.existsSync(file)).toBe(false);
  });
});
