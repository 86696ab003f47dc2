/**
 * Campaign item 6: writes fsync by default; `durability: 'full'` also fsyncs the directory;
 * `'none'` skips fsync (see docs/durability.md for what that gives up). Checked by watching the
 * fsync calls the store makes, with the real file system underneath.
 */
import fs from 'node:fs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { TaskManager } from '../../src/index.js';
import { removeTempDirs, tempDir } from './harness.js';

afterAll(removeTempDirs);
afterEach(() => {
  vi.restoreAllMocks();
});

async function countSyncs(durability: 'fsync' | 'full' | 'none' | undefined): Promise<{ file: number; handles: number }> {
  const baseDir = tempDir(`dur-${durability ?? 'default'}`);
  const m = new TaskManager(baseDir, durability === undefined ? {} : { durability });
  await m.createTask('s', 'warm-up', 'x'); // creates the directory
  const fileSync = vi.spyOn(fs, 'fsync');
  const handle = await fs.promises.open(baseDir, 'r');
  const proto = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
  await handle.close();
  const handleSync = vi.spyOn(proto, 'sync');
  for (let i = 0; i < 3; i++) await m.createTask('s', `t${i}`, 'x');
  const counts = { file: fileSync.mock.calls.length, handles: handleSync.mock.calls.length };
  vi.restoreAllMocks();
  expect((await new TaskManager(baseDir).listTasks('s')).length).toBe(4);
  return counts;
}

describe('durability option', () => {
  it('default: every commit fsyncs the new file before the rename', async () => {
    const c = await countSyncs(undefined);
    expect(c.file).toBeGreaterThanOrEqual(3);
  });

  it("'fsync' is the default", async () => {
    expect((await countSyncs('fsync')).file).toBeGreaterThanOrEqual(3);
  });

  it("'full' also fsyncs the directory after the rename", async () => {
    const c = await countSyncs('full');
    expect(c.file).toBeGreaterThanOrEqual(3);
    expect(c.handles).toBeGreaterThanOrEqual(3);
  });

  it("'none' skips fsync but stays atomic (old or new file, never torn)", async () => {
    const c = await countSyncs('none');
    expect(c).toEqual({ file: 0, handles: 0 });
  });
});
