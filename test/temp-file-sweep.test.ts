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

    // A writer of this session dies mid-write, leaving its temporary file.
    const leftover = `${manager.sessionPath('s')}.2147483646.0123456789ab.gtmp`;
    fs.writeFileSync(leftover, '{"session_id": "s", "tasks": [');
    const unrelated = path.join(path.dirname(leftover), 'other.json.2147483646.0123456789ab.gtmp');
    fs.writeFileSync(unrelated, 'not ours');
    // A user's backups, named like write-file-atomic's temporary files of old versions: never ours to delete.
    const backups = ['s.json.20240101', 's.json.123456789', 's.json.bak', 's.json.4242.gtmp', 's.json.1.0123456789ab.gtmp.old'].map((n) => path.join(path.dirname(leftover), n));
    for (const b of backups) fs.writeFileSync(b, 'a backup');
    // The temporary file of a writer that is still running (a live process id) is its own business.
    const inFlight = `${manager.sessionPath('s')}.${process.ppid}.00112233aabb.gtmp`;
    fs.writeFileSync(inFlight, '{"session_id": "s", "tasks": [');

    await manager.createTask('s', 'second', '');
    expect(fs.existsSync(leftover)).toBe(true); // within the interval: no directory listing

    vi.setSystemTime(Date.now() + TEMP_SWEEP_INTERVAL_MS + 1);
    await manager.createTask('s', 'third', '');
    expect(fs.existsSync(leftover)).toBe(false);
    expect(fs.existsSync(unrelated)).toBe(true); // another session's temporary file is not touched
    for (const b of backups) expect(fs.readFileSync(b, 'utf8'), b).toBe('a backup');
    expect(fs.existsSync(inFlight)).toBe(true);
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['first', 'second', 'third']);
  });
});
