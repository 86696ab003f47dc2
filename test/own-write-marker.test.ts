/**
 * A commit trusts the file it just wrote at once, through its mtime marker, instead of re-reading
 * it for the 50 ms racy window. The marker must never hide a change: an in-place rewrite of the same
 * size right after the commit (same inode, same clock tick) is still seen by the next read.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TaskManager } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

describe('the mtime marker of a commit', () => {
  it('an in-place, same-size rewrite right after a commit is seen by the next read (100 rounds)', async () => {
    const manager = new TaskManager(tempDir(), { durability: 'none' });
    const task = await manager.createTask('s', 'name-0000', '');
    const file = manager.sessionPath('s');
    for (let i = 1; i <= 100; i++) {
      await manager.updateTask('s', task.id, `name-${String(i).padStart(4, '0')}`);
      const inode = fs.statSync(file).ino;
      // Another program rewrites the file in place, same length, immediately.
      const text = fs.readFileSync(file, 'utf8').replace(`name-${String(i).padStart(4, '0')}`, `edit-${String(i).padStart(4, '0')}`);
      fs.writeFileSync(file, text);
      expect(fs.statSync(file).ino).toBe(inode);
      expect((await manager.getTask('s', task.id))?.name).toBe(`edit-${String(i).padStart(4, '0')}`);
    }
  });

  it('leaves the file with an mtime in the past and keeps the permission bits of the previous version', async () => {
    const manager = new TaskManager(tempDir());
    await manager.createTask('s', 'a', '');
    const file = manager.sessionPath('s');
    fs.chmodSync(file, 0o600);
    await manager.createTask('s', 'b', '');
    const stat = fs.statSync(file);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(stat.mtimeMs).toBeLessThan(Date.now());
    expect((await new TaskManager(manager.baseDir).listTasks('s')).map((t) => t.name)).toEqual(['a', 'b']);
  });
});
