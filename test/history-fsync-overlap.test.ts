/**
 * With history on, a commit has two files to make durable before its rename: the history append
 * and the session's temporary file. Their fsyncs run at the same time (the order between them does
 * not matter, only that both finish before the rename), and a history fsync that fails fails the
 * commit without writing the session file.
 *
 * The store calls `fs.fsync` and `fs.renameSync` through the `node:fs` module object at call time,
 * so these tests watch (and, for the failure, replace) them there.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskIoError, TaskManager } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

const realFsync = fs.fsync;
const realRenameSync = fs.renameSync;
afterEach(() => {
  fs.fsync = realFsync;
  fs.renameSync = realRenameSync;
});

/** What file descriptor `fd` is open on (Linux; the name is enough elsewhere to skip). */
function pathOf(fd: number): string {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return '';
  }
}

describe('a commit with history', () => {
  it.skipIf(!fs.existsSync('/proc/self/fd'))('fsyncs the history file and the session file at the same time, both before the rename', async () => {
    const manager = new TaskManager(tempDir(), { history: true });
    const task = await manager.createTask('s', 'a', '');
    const events: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    // Each fsync's completion is held back until a second one starts (or, on a store that never
    // overlaps them, until a few turns of the event loop have passed, so the test ends instead of
    // hanging): with overlapping fsyncs both are in flight at once.
    const held: (() => void)[] = [];
    fs.fsync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      const what = pathOf(fd).endsWith('.history.jsonl') ? 'history' : 'session';
      events.push(`fsync ${what}`);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      realFsync(fd, (error) => {
        const finish = (): void => {
          inFlight--;
          events.push(`synced ${what}`);
          callback(error);
        };
        held.push(finish);
        if (held.length >= 2) for (const f of held.splice(0)) f();
        else {
          let turns = 0;
          const wait = (): void => {
            if (!held.includes(finish)) return;
            if (++turns < 20) {
              setImmediate(wait);
              return;
            }
            held.splice(held.indexOf(finish), 1);
            finish();
          };
          setImmediate(wait);
        }
      });
    }) as typeof fs.fsync;
    fs.renameSync = ((from: fs.PathLike, to: fs.PathLike) => {
      if (String(to).endsWith('s.json')) events.push('rename session');
      realRenameSync(from, to);
    }) as typeof fs.renameSync;

    await manager.updateTaskStatus('s', task.id, 'InProgress');

    expect(maxInFlight).toBe(2);
    expect(events.filter((e) => e.startsWith('fsync')).sort()).toEqual(['fsync history', 'fsync session']);
    const renameAt = events.indexOf('rename session');
    expect(renameAt).toBeGreaterThan(events.indexOf('synced history'));
    expect(renameAt).toBeGreaterThan(events.indexOf('synced session'));
    expect((await manager.history('s', { taskId: task.id }))[0]?.change).toMatchObject({ type: 'status_changed', to: 'InProgress' });
  });

  it.skipIf(!fs.existsSync('/proc/self/fd'))('fails, writing nothing, when the history cannot be fsynced; the next commit goes on from the landed history', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { history: true });
    const task = await manager.createTask('s', 'a', '');
    const file = manager.sessionPath('s');
    const before = fs.readFileSync(file);
    fs.fsync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      if (!pathOf(fd).endsWith('.history.jsonl')) {
        realFsync(fd, callback);
        return;
      }
      realFsync(fd, () => callback(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })));
    }) as typeof fs.fsync;

    const failed = manager.updateTaskStatus('s', task.id, 'InProgress');
    await expect(failed).rejects.toBeInstanceOf(TaskIoError);
    await expect(failed).rejects.toThrow(/history\.jsonl/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(`${dir}/.gestura/tasks`).filter((n) => n.endsWith('.gtmp'))).toEqual([]);

    fs.fsync = realFsync;
    await manager.updateTaskStatus('s', task.id, 'Completed');
    const fresh = new TaskManager(dir, { history: true });
    const changes = (await fresh.history('s', { taskId: task.id })).map((e) => e.change);
    expect(changes.filter((c) => c.type === 'status_changed')).toEqual([expect.objectContaining({ from: 'NotStarted', to: 'Completed' })]);
    expect((await fresh.getTask('s', task.id))?.status).toBe('Completed');
  });
});
