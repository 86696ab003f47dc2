/**
 * Importing a session with its history (what `copy --force` does on files) under SIGKILL: a writer
 * importing two versions of one session over each other is killed at random moments, 40 times
 * (200 in long mode); after every kill the history read agrees with the session file: version A
 * with exactly A's entries, version B with exactly B's, or (killed between the steps of an
 * overwrite) the new list with no history yet, never entries of the other version.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_SEQ_KEY, MemoryTaskStore, TaskManager, encodeTaskList, type HistoryEntry } from '../../src/index.js';
import { decodeTaskList } from '../../src/store/codec.js';
import { FileTaskStore } from '../../src/store/file-store.js';
import { LONG, bundledLauncher, removeTempDirs, rng, startWorker, tempDir, type Launcher } from './harness.js';

afterAll(removeTempDirs);

const KILLS = LONG ? 200 : 40;
const STALE_MS = 2000;

/** A version of session `c`: `commits` commits, each recorded in its history. */
async function version(name: string, commits: number): Promise<{ text: string; entries: HistoryEntry[] }> {
  const store = new MemoryTaskStore({ history: true });
  const manager = new TaskManager('.', { store, actor: name });
  for (let i = 0; i < commits; i++) {
    const task = await manager.createTask('c', `${name} ${i}`, '');
    if (i % 2 === 1) await manager.updateTaskStatus('c', task.id, 'in_progress');
  }
  const stored = await store.read('c', null);
  return { text: encodeTaskList(stored!.list), entries: await manager.history('c').then((h) => h.reverse()) };
}

function withoutHistory(text: string): string {
  const list = decodeTaskList(text, 'version');
  list.setExtra(HISTORY_SEQ_KEY, 0);
  return encodeTaskList(list);
}

describe('importing with the history under SIGKILL', () => {
  let launcher: Launcher;
  beforeAll(async () => {
    launcher = await bundledLauncher('history-importer', tempDir('bundle'));
  });

  it(`${KILLS} kills of an importer never leave a list with another list's history`, { timeout: LONG ? 1_200_000 : 300_000 }, async () => {
    const random = rng(7919);
    const a = await version('a', 3);
    const b = await version('b', 8); // longer: its sequences cover all of a's
    const baseDir = tempDir('import');
    const payloadFile = path.join(baseDir, 'payloads.json');
    fs.writeFileSync(payloadFile, JSON.stringify([a, b]));
    const reader = new FileTaskStore(baseDir, { history: true });
    const seen = { a: 0, b: 0, between: 0, none: 0, staleLocks: 0 };
    const lockDir = `${reader.locate('c')}.lock`;
    for (let i = 0; i < KILLS; i++) {
      const worker = startWorker(launcher, { baseDir, session: 'c', staleMs: STALE_MS, payloadFile });
      await worker.waitForLine((l) => l === 'ready');
      await new Promise((r) => setTimeout(r, 5 + random() * 80));
      worker.child.kill('SIGKILL');
      const { signal } = await worker.exited;
      expect(signal, worker.stderr.join('')).toBe('SIGKILL');
      if (fs.existsSync(lockDir)) {
        seen.staleLocks++;
        const past = new Date(Date.now() - STALE_MS - 5000);
        fs.utimesSync(lockDir, past, past);
      }
      const stored = await reader.read('c', null);
      const history = await reader.history!.read('c');
      const text = stored === null ? null : encodeTaskList(stored.list);
      if (text === a.text) {
        expect(history).toEqual(a.entries);
        seen.a++;
      } else if (text === b.text) {
        expect(history).toEqual(b.entries);
        seen.b++;
      } else if (text === null) {
        expect(history).toEqual([]);
        seen.none++;
      } else {
        expect([withoutHistory(a.text), withoutHistory(b.text)]).toContain(text);
        expect(history).toEqual([]);
        seen.between++;
      }
    }
    console.info(`[campaign] import crash: ${JSON.stringify(seen)}`);
    // A commit after it all goes on from the sequence of the list it finds.
    const manager = new TaskManager(baseDir, { history: true, lock: { staleMs: STALE_MS } });
    if (fs.existsSync(lockDir)) fs.utimesSync(lockDir, new Date(Date.now() - STALE_MS - 5000), new Date(Date.now() - STALE_MS - 5000));
    await manager.createTask('c', 'after the kills', '');
    const after = await manager.history('c');
    expect(after[0]).toMatchObject({ change: { type: 'created', name: 'after the kills' } });
    expect(seen.a + seen.b).toBeGreaterThan(0);
  });
});
