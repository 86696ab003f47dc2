/**
 * Hostile files around the store (README guarantees 3 and 6): links in place of the session file
 * or of the directories above it, a FIFO swapped in, a write cut short by a full disk, a lock
 * directory dated in the future. Nothing outside the base directory is ever created, written,
 * renamed or deleted; no read hangs; no short write is ever committed; no lock blocks forever.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TaskError, TaskIoError, TaskManager } from '../src/index.js';
import { WORKERS, diffSnapshots, removeTempDirs, snapshotTree, startWorker, tempDir, tsxLauncher } from './campaign/harness.js';

afterAll(removeTempDirs);

/** Runs `op` and returns its error (or null); anything thrown must be a TaskError. */
async function outcome(op: () => Promise<unknown>): Promise<TaskError | null> {
  try {
    await op();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(TaskError);
    return error as TaskError;
  }
}

describe('the session file swapped for a link to an outside file, in a loop', () => {
  it('never makes a commit write outside the base directory', { timeout: 120_000 }, async () => {
    const root = tempDir('swap-link');
    const baseDir = path.join(root, 'base');
    const victim = path.join(root, 'victim.json');
    fs.writeFileSync(victim, 'VICTIM: must never change');
    const manager = new TaskManager(baseDir, { durability: 'none' });
    await manager.createTask('s', 'seed', '');
    const file = manager.sessionPath('s');
    const backup = path.join(root, 'backup.json');
    fs.copyFileSync(file, backup);
    const outside = (): ReturnType<typeof snapshotTree> => {
      const snap = snapshotTree(root);
      for (const key of [...snap.keys()]) if (key === 'base' || key.startsWith(`base${path.sep}`)) snap.delete(key);
      return snap;
    };
    const before = outside();
    const stopFile = path.join(root, 'stop');
    const swapper = startWorker(tsxLauncher('file-swapper'), { file, backup, victim, fifo: '', mode: 'symlink', stopFile });
    await swapper.waitForLine((l) => l === 'started');
    let committed = 0;
    let refused = 0;
    try {
      for (let i = 0; i < 300; i++) {
        const error = await outcome(() => manager.createTask('s', `t${i}`, ''));
        if (error === null) committed++;
        else refused++;
      }
    } finally {
      fs.writeFileSync(stopFile, '');
      await swapper.exited;
    }
    console.info(`[hostile] link swap: ${committed} commits, ${refused} refused; swapper ${swapper.lines.at(-1)}`);
    fs.rmSync(stopFile);
    expect(fs.readFileSync(victim, 'utf8')).toBe('VICTIM: must never change');
    expect(diffSnapshots(before, outside())).toEqual([]);
  });
});

describe('.gestura swapped for a link to an outside directory and back, in a loop', () => {
  it('never returns the outside session file from a read', { timeout: 120_000 }, async () => {
    const root = tempDir('swap-dir');
    const baseDir = path.join(root, 'base');
    const outside = path.join(root, 'outside');
    await new TaskManager(baseDir).createTask('s', 'inside', '');
    // the same layout outside: a session `s` whose only task is named `OUTSIDE`
    const outsideManager = new TaskManager(path.join(root, 'other'));
    await outsideManager.createTask('s', 'OUTSIDE', '');
    fs.renameSync(path.join(root, 'other', '.gestura'), outside);
    const stopFile = path.join(root, 'stop');
    const swapper = startWorker(tsxLauncher('dir-swapper'), { baseDir, outside, stopFile });
    await swapper.waitForLine((l) => l === 'started');
    const names = new Set<string>();
    try {
      const reader = new TaskManager(baseDir);
      for (let i = 0; i < 20_000 && !names.has('OUTSIDE'); i++) {
        const error = await outcome(async () => {
          for (const task of await reader.listTasks('s')) names.add(task.name);
        });
        if (error !== null) expect(error).toBeInstanceOf(TaskIoError);
      }
    } finally {
      fs.writeFileSync(stopFile, '');
      await swapper.exited;
    }
    console.info(`[hostile] .gestura swap: names read ${[...names].join(', ')}; swapper ${swapper.lines.at(-1)}`);
    expect(names.has('OUTSIDE')).toBe(false);
  });
});

describe('.gestura swapped for a link and back while sessions are listed', () => {
  it('never lists a session of the outside directory', { timeout: 120_000 }, async () => {
    const root = tempDir('swap-dir-list');
    const baseDir = path.join(root, 'base');
    const outside = path.join(root, 'outside');
    const manager = new TaskManager(baseDir);
    await manager.createTask('inside', 'x', '');
    fs.mkdirSync(path.join(outside, 'tasks'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'tasks', 'outside.json'), '{}');
    const stopFile = path.join(root, 'stop');
    const swapper = startWorker(tsxLauncher('dir-swapper'), { baseDir, outside, stopFile });
    await swapper.waitForLine((l) => l === 'started');
    const listed = new Set<string>();
    try {
      for (let i = 0; i < 20_000 && !listed.has('outside'); i++) {
        const error = await outcome(async () => {
          for (const id of await manager.listSessions()) listed.add(id);
        });
        if (error !== null) expect(error).toBeInstanceOf(TaskIoError);
      }
    } finally {
      fs.writeFileSync(stopFile, '');
      await swapper.exited;
    }
    expect(listed.has('outside')).toBe(false);
  });
});

describe('.gestura swapped for a link while a writer waits for the lock', () => {
  it('never creates the lock directory outside the base directory', { timeout: 120_000 }, async () => {
    const root = tempDir('swap-dir-lock');
    const baseDir = path.join(root, 'base');
    const outsideTasks = path.join(root, 'outside', 'tasks');
    fs.mkdirSync(outsideTasks, { recursive: true });
    const manager = new TaskManager(baseDir, { lock: { timeoutMs: 60_000 } });
    await manager.createTask('s', 'seed', '');
    const holder = startWorker(tsxLauncher('lock-holder'), { baseDir, session: 's', holdMs: 600_000, staleMs: 10_000, name: 'holder' });
    await holder.waitForLine((l) => l === 'locked');
    const created: string[] = [];
    const watcher = fs.watch(outsideTasks, (_event, name) => created.push(String(name)));
    try {
      const writer = outcome(() => manager.createTask('s', 'waiting', ''));
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the writer reach its retry loop
      const gestura = path.join(baseDir, '.gestura');
      fs.renameSync(gestura, path.join(baseDir, '.gestura.parked'));
      fs.symlinkSync(path.join(root, 'outside'), gestura);
      const error = await writer;
      expect(error).toBeInstanceOf(TaskIoError);
      await new Promise((resolve) => setTimeout(resolve, 200)); // let the watcher deliver what happened
    } finally {
      watcher.close();
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    expect(created).toEqual([]);
    expect(fs.readdirSync(outsideTasks)).toEqual([]);
  });
});

describe('links and non-directories above the session file', () => {
  const cases: [string, (baseDir: string, outsideDir: string) => void][] = [
    ['.gestura is a link to an outside directory', (b, o) => fs.symlinkSync(o, path.join(b, '.gestura'))],
    ['.gestura/tasks is a link to an outside directory', (b, o) => {
      fs.mkdirSync(path.join(b, '.gestura'));
      fs.symlinkSync(o, path.join(b, '.gestura', 'tasks'));
    }],
    ['.gestura is a regular file', (b) => fs.writeFileSync(path.join(b, '.gestura'), 'not a directory')],
    ['.gestura/tasks is a regular file', (b) => {
      fs.mkdirSync(path.join(b, '.gestura'));
      fs.writeFileSync(path.join(b, '.gestura', 'tasks'), 'not a directory');
    }],
  ];
  for (const [label, plant] of cases) {
    it(`${label}: every call is refused with a TaskIoError, nothing outside is touched`, async () => {
      const root = tempDir('dir-link');
      const baseDir = path.join(root, 'base');
      const outsideDir = path.join(root, 'outside');
      fs.mkdirSync(baseDir);
      fs.mkdirSync(outsideDir);
      // A session an attacker wants read or overwritten, outside the base directory.
      fs.mkdirSync(path.join(outsideDir, 'tasks'));
      fs.writeFileSync(path.join(outsideDir, 's.json'), '{"session_id": "s", "tasks": []}');
      plant(baseDir, outsideDir);
      const before = snapshotTree(root);
      const manager = new TaskManager(baseDir, { lock: { timeoutMs: 2000 } });
      const ops: [string, () => Promise<unknown>][] = [
        ['createTask', () => manager.createTask('s', 'x', '')],
        ['listTasks', () => manager.listTasks('s')],
        ['batch', () => manager.batch('s', (tx) => tx.createTask('y', ''))],
        ['listSessions', () => manager.listSessions()],
      ];
      for (const [name, op] of ops) {
        const error = await outcome(op);
        expect(error, name).toBeInstanceOf(TaskIoError);
        expect(error!.message, name).toMatch(/refusing to use/);
      }
      expect(diffSnapshots(before, snapshotTree(root))).toEqual([]);
    });
  }
});

describe('a FIFO swapped in for the session file', () => {
  it('never hangs a read: each read returns a list or a TaskIoError', { timeout: 120_000 }, async () => {
    const root = tempDir('fifo');
    const manager = new TaskManager(root, { durability: 'none' });
    await manager.createTask('s', 'seed', '');
    const file = manager.sessionPath('s');
    const backup = path.join(root, 'backup.json');
    fs.copyFileSync(file, backup);
    const fifo = path.join(path.dirname(file), 'pipe');
    execFileSync('mkfifo', [fifo]);
    const stopFile = path.join(root, 'stop');
    const swapper = startWorker(tsxLauncher('file-swapper'), { file, backup, victim: '', fifo, mode: 'fifo', stopFile });
    await swapper.waitForLine((l) => l === 'started');
    const kinds = new Map<string, number>();
    try {
      for (let i = 0; i < 400; i++) {
        const error = await outcome(() => new TaskManager(root).listTasks('s'));
        const key = error === null ? 'read' : error.kind;
        kinds.set(key, (kinds.get(key) ?? 0) + 1);
      }
    } finally {
      fs.writeFileSync(stopFile, '');
      await swapper.exited;
    }
    console.info(`[hostile] fifo swap: ${JSON.stringify(Object.fromEntries(kinds))}; swapper ${swapper.lines.at(-1)}`);
    expect([...kinds.keys()].every((k) => k === 'read' || k === 'Io')).toBe(true);
  });
});

describe('a write cut short (file-size limit, as a full disk)', () => {
  // 2 MB goes through the thread pool, 500 kB is written synchronously (temp-file.ts, SYNC_WRITE_LIMIT).
  it.each([2_000_000, 500_000])('is never renamed into place: the commit fails with a TaskIoError and the old file stays (%i bytes)', { timeout: 60_000 }, async (size) => {
    const baseDir = tempDir('short-write');
    const manager = new TaskManager(baseDir);
    await manager.createTask('s', 'small', '');
    const file = manager.sessionPath('s');
    const before = fs.readFileSync(file);
    // `ulimit -f 256`: files may grow to 128 KiB (256 blocks of 512 bytes) or 256 KiB; the write is larger.
    const launcher = {
      command: '/bin/sh',
      args: ['-c', 'ulimit -f 256 && exec "$0" "$@"', process.execPath, '--import', 'tsx', path.join(WORKERS, 'big-writer.ts')],
    };
    const writer = startWorker(launcher, { baseDir, session: 's', size });
    const line = await writer.waitForLine((l) => l.startsWith('{'));
    await writer.exited;
    const result = JSON.parse(line) as { ok: boolean; kind?: string; message?: string };
    expect(result).toMatchObject({ ok: false, kind: 'Io' });
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['s.json']);
    expect((await new TaskManager(baseDir).listTasks('s')).map((t) => t.name)).toEqual(['small']);
  });
});

describe('a lock directory dated in the future', () => {
  it('is taken over like an abandoned one instead of blocking every writer until that date', { timeout: 60_000 }, async () => {
    const baseDir = tempDir('future-lock');
    const manager = new TaskManager(baseDir, { lock: { staleMs: 2000, timeoutMs: 20_000 } });
    await manager.createTask('s', 'first', '');
    const lockDir = `${manager.sessionPath('s')}.lock`;
    fs.mkdirSync(lockDir);
    const future = new Date(Date.now() + 24 * 3600 * 1000);
    fs.utimesSync(lockDir, future, future);
    await manager.createTask('s', 'second', '');
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['first', 'second']);
    expect(fs.existsSync(lockDir)).toBe(false);
  });
});
