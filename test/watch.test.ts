/** watchSession: changes written by other processes (and managers) arrive as change events. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TaskManager, watchSession, type TaskChangeEvent, type TaskError } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { runTsx } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();

const S = 'watched';

/** Resolves with the first event matching `pred` delivered to the returned listener. */
function waitFor(pred: (e: TaskChangeEvent) => boolean): { listener: (e: TaskChangeEvent) => void; event: Promise<TaskChangeEvent> } {
  let resolve!: (e: TaskChangeEvent) => void;
  const event = new Promise<TaskChangeEvent>((r) => (resolve = r));
  return { listener: (e) => pred(e) && resolve(e), event };
}

describe('watchSession', () => {
  it('reports tasks created, completed and deleted by another process', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir);
    const events: TaskChangeEvent[] = [];
    const watcher = await watchSession(manager, S, (e) => events.push(e), { intervalMs: 60_000 });
    try {
      expect(await watcher.poll()).toEqual([]);

      const created = await runTsx('test/workers/session-writer.ts', [dir, S, 'create', 'from another process']);
      expect(created.code).toBe(0);
      const task = JSON.parse(created.stdout) as { id: string };
      const polled = await watcher.poll();
      expect(polled).toEqual([expect.objectContaining({ type: 'created', sessionId: S, task: expect.objectContaining({ id: task.id, name: 'from another process' }) })]);
      expect(events).toEqual(polled);

      expect((await runTsx('test/workers/session-writer.ts', [dir, S, 'complete', task.id])).code).toBe(0);
      const completed = await watcher.poll();
      expect(completed.map((e) => e.type)).toEqual(['updated', 'status_changed']);
      expect(completed[1]).toMatchObject({ from: 'NotStarted', to: 'Completed' });

      expect((await runTsx('test/workers/session-writer.ts', [dir, S, 'delete', task.id])).code).toBe(0);
      expect(await watcher.poll()).toEqual([expect.objectContaining({ type: 'deleted', task: expect.objectContaining({ id: task.id }) })]);
      expect(await watcher.poll()).toEqual([]);
    } finally {
      await watcher.close();
    }
  });

  it('delivers changes on its own while polling, until closed', async () => {
    const dir = tempDir();
    const writer = new TaskManager(dir);
    const waiting = waitFor((e) => e.type === 'created');
    const watcher = await watchSession(new TaskManager(dir), S, waiting.listener, { intervalMs: 20 });
    const task = await writer.createTask(S, 'background', '');
    const event = await waiting.event;
    expect(event).toMatchObject({ type: 'created', task: { id: task.id } });
    await watcher.close();
    expect(watcher.closed).toBe(true);
    // After close, nothing more is delivered (poll still works on demand, without the timer).
    const after: TaskChangeEvent[] = [];
    const quiet = await watchSession(new TaskManager(dir), S, (e) => after.push(e), { intervalMs: 20 });
    await quiet.close();
    await writer.createTask(S, 'late', '');
    expect(after).toEqual([]);
  });

  it('compares content: an unchanged rewrite reports nothing, exact big integers are compared exactly', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir);
    const t = await manager.createTask(S, 't', '');
    await manager.updateTaskMetadata(S, t.id, { n: 1 });
    const file = manager.sessionPath(S);
    const watcher = await watchSession(manager, S, () => undefined, { intervalMs: 60_000 });
    try {
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, `${text}\n`); // same content, new bytes and stat
      expect(await watcher.poll()).toEqual([]);
      fs.writeFileSync(file, text.replace('"n": 1', '"n": 9007199254740993'));
      expect((await watcher.poll()).map((e) => e.type)).toEqual(['updated']);
      fs.writeFileSync(file, text.replace('"n": 1', '"n": 9007199254740992'));
      // 9007199254740993 and 9007199254740992 are the same JavaScript number, but not the same file.
      expect((await watcher.poll()).map((e) => e.type)).toEqual(['updated']);
    } finally {
      await watcher.close();
    }
  });

  it('reports a removed file as every task deleted, and the current pointer moving', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir);
    const a = await manager.createTask(S, 'a', '');
    await manager.setCurrentTaskId(S, a.id);
    const watcher = await watchSession(manager, S, () => undefined, { intervalMs: 60_000 });
    try {
      fs.rmSync(manager.sessionPath(S));
      expect(await watcher.poll()).toEqual([
        expect.objectContaining({ type: 'deleted', task: expect.objectContaining({ id: a.id }) }),
        { type: 'current_changed', sessionId: S, from: a.id, to: null },
      ]);
    } finally {
      await watcher.close();
    }
  });

  it('passes read errors to onError, keeps watching, and recovers from the last good list', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir);
    await manager.createTask(S, 'a', '');
    const file = manager.sessionPath(S);
    const good = fs.readFileSync(file, 'utf8');
    let failed!: (e: TaskError) => void;
    const failure = new Promise<TaskError>((r) => (failed = r));
    const watcher = await watchSession(manager, S, () => undefined, { intervalMs: 20, onError: (e) => failed(e) });
    try {
      fs.writeFileSync(file, '{ not json');
      const error = await failure;
      expect(error.kind).toBe('Serialization');
      expect(error.message).toContain(file);
      await expect(watcher.poll()).rejects.toMatchObject({ kind: 'Serialization' });
      fs.writeFileSync(file, good);
      expect(await watcher.poll()).toEqual([]);
    } finally {
      await watcher.close();
    }
  });

  it('validates its arguments and honours an aborted signal', async () => {
    const manager = new TaskManager(tempDir());
    await expect(watchSession(manager, '../escape', () => undefined)).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(watchSession(manager, S, () => undefined, { intervalMs: 0 })).rejects.toMatchObject({ kind: 'InvalidInput' });
    const controller = new AbortController();
    const watcher = await watchSession(manager, S, () => undefined, { signal: controller.signal });
    controller.abort();
    expect(watcher.closed).toBe(true);
    await watcher.close();
  });
});
