/**
 * The lock is made and removed through a checked descriptor of the tasks directory that the
 * process keeps open across commits. It must always be the directory the store has just checked:
 * a tasks directory removed and made again between two commits, or swapped for a link to an
 * outside directory, never receives (or hides) a lock of the other one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TaskIoError, TaskManager } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

describe('the kept descriptor of a tasks directory', () => {
  it('a tasks directory removed and made again between commits gets the next lock and file, and no lock stays behind', async () => {
    const baseDir = tempDir();
    const manager = new TaskManager(baseDir);
    await manager.createTask('s', 'before', '');
    const tasksDir = path.dirname(manager.sessionPath('s'));
    for (let round = 0; round < 3; round++) {
      fs.rmSync(path.join(baseDir, '.gestura'), { recursive: true });
      const task = await manager.createTask('s', `after-${round}`, '');
      expect(fs.readdirSync(tasksDir)).toEqual(['s.json']);
      expect((await new TaskManager(baseDir).listTasks('s')).map((t) => t.id)).toEqual([task.id]);
    }
  });

  it('.gestura swapped for a link to an outside directory between commits: the commit is refused and nothing outside changes', async () => {
    const root = tempDir();
    const baseDir = path.join(root, 'base');
    const outside = path.join(root, 'outside');
    fs.mkdirSync(path.join(outside, 'tasks'), { recursive: true });
    const manager = new TaskManager(baseDir);
    await manager.createTask('s', 'inside', '');
    fs.renameSync(path.join(baseDir, '.gestura'), path.join(baseDir, '.gestura.parked'));
    fs.symlinkSync(outside, path.join(baseDir, '.gestura'));
    await expect(manager.createTask('s', 'refused', '')).rejects.toBeInstanceOf(TaskIoError);
    expect(fs.readdirSync(path.join(outside, 'tasks'))).toEqual([]);
    expect(fs.readdirSync(path.join(baseDir, '.gestura.parked', 'tasks'))).toEqual(['s.json']);
    // Back in place, the same manager commits there again.
    fs.rmSync(path.join(baseDir, '.gestura'));
    fs.renameSync(path.join(baseDir, '.gestura.parked'), path.join(baseDir, '.gestura'));
    await manager.createTask('s', 'again', '');
    expect((await new TaskManager(baseDir).listTasks('s')).map((t) => t.name)).toEqual(['inside', 'again']);
    expect(fs.readdirSync(path.join(baseDir, '.gestura', 'tasks'))).toEqual(['s.json']);
  });
});
