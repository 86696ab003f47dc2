import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TaskManager } from '../src/index.js';
import { TEMP_SWEEP_INTERVAL_MS } from '../src/store/file-store.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();
afterEach(() => {
  vi.useRealTimers();
});

describe('temporary files left by killed writers', () => {
  it('are removed by a long-lived writer once the sweep interval has passed, not only on its first write', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const dir = tempDir();
    const manager = new TaskManager(dir, { durability: 'none' });
    await manager.createTask('s', 'first', ''); // first write: sweeps (nothing there yet)

    // A writer of this session dies mid-write, leaving write-file-atomic's temporary file.
    const leftover = `${manager.sessionPath('s')}.123456789`;
    fs.writeFileSync(leftover, '{"session_id": "s", "tasks": [');
    const unrelated = path.join(path.dirname(leftover), 'other.json.123456789');
    fs.writeFileSync(unrelated, 'not ours');

    await manager.createTask('s', 'second', '');
    expect(fs.existsSync(leftover)).toBe(true); // within the interval: no directory listing

    vi.setSystemTime(Date.now() + TEMP_SWEEP_INTERVAL_MS + 1);
    await manager.createTask('s', 'third', '');
    expect(fs.existsSync(leftover)).toBe(false);
    expect(fs.existsSync(unrelated)).toBe(true); // another session's temporary file is not touched
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['first', 'second', 'third']);
  });
});
