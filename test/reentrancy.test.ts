/**
 * A manager call on a session from inside a `batch` on the same session used to wait for itself
 * forever (and every later write of the process queued behind it). It now fails at once with an
 * InvalidInputError that points at the transaction; waiting behind a long batch in the same
 * process honours `lock.timeoutMs`.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, MemoryTaskStore, TaskIoError, TaskManager } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { postgresStore } from './helpers/postgres.js';
import { managerOn, reopen, STORES } from './helpers/stores.js';

cleanTempDirsAfterEach();

describe.each(STORES)('re-entrant calls inside a batch (%s store)', (kind) => {
  it('a write to the same session from inside its batch throws InvalidInputError naming the transaction; nothing is written', async () => {
    const manager = managerOn(kind);
    await manager.createTask('s', 'before', '');
    const error = await manager
      .batch('s', async (tx) => {
        tx.createTask('inside', '');
        await manager.createTask('s', 'nested', '');
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/transaction/);
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['before']);
    // The process is not stuck: later writes go through.
    await manager.createTask('s', 'after', '');
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['before', 'after']);
  });

  it('another manager on the same directory is caught too; the batch can catch the error and carry on', async () => {
    const manager = managerOn(kind);
    const other = reopen(manager);
    const caughtInside = await manager.batch('s', async (tx) => {
      tx.createTask('inside', '');
      return other.updateTaskStatus('s', 'x', 'Completed').catch((e: unknown) => e);
    });
    expect(caughtInside).toBeInstanceOf(InvalidInputError);
    expect((await other.listTasks('s')).map((t) => t.name)).toEqual(['inside']);
  });

  it('reads of the same session and writes to other sessions inside a batch still work', async () => {
    const manager = managerOn(kind);
    await manager.batch('s', async (tx) => {
      tx.createTask('inside', '');
      expect(await manager.listTasks('s')).toEqual([]); // the stored list, not the open transaction
      await manager.createTask('other', 'elsewhere', '');
    });
    expect((await manager.listTasks('other')).map((t) => t.name)).toEqual(['elsewhere']);
  });

  if (kind === 'file') it('the memory store detects it the same way', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore() });
    const error = await manager.batch('s', () => manager.createTask('s', 'nested', '')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
  });

  it('work scheduled by a batch that runs after it finished is not mistaken for re-entrancy', async () => {
    const manager = managerOn(kind);
    let later!: Promise<unknown>;
    await manager.batch('s', (tx) => {
      tx.createTask('first', '');
      later = new Promise((resolve) => setTimeout(resolve, 20)).then(() => manager.createTask('s', 'later', ''));
    });
    await later;
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['first', 'later']);
  });

  it('a write waiting behind a long batch of the same process gives up after its timeout with a TaskIoError', async () => {
    const manager =
      kind === 'file' ? new TaskManager(tempDir(), { lock: { timeoutMs: 300 } }) : new TaskManager(tempDir(), { store: postgresStore({ timeoutMs: 300 }) });
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const batch = manager.batch('s', async (tx) => {
      tx.createTask('long', '');
      entered();
      await held;
    });
    await inside;
    const error = await manager.createTask('s', 'impatient', '').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskIoError);
    expect((error as Error).message).toMatch(/timed out/);
    finish();
    await batch;
    await manager.createTask('s', 'after', '');
    expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['long', 'after']);
  });
});

describe('re-entrant calls through another spelling of the same base directory', () => {
  it('a manager on a link to the base directory, called inside a batch, fails at once with InvalidInputError', async () => {
    const dir = tempDir();
    const link = `${dir}-link`;
    fs.symlinkSync(dir, link);
    try {
      const manager = new TaskManager(dir, { lock: { timeoutMs: 600_000 } });
      const viaLink = new TaskManager(link, { lock: { timeoutMs: 600_000 } });
      await manager.createTask('s', 'first', '');
      const error = await manager
        .batch('s', async () => {
          await viaLink.createTask('s', 'inner', '');
        })
        .then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      await viaLink.createTask('s', 'after', '');
      expect((await manager.listTasks('s')).map((t) => t.name)).toEqual(['first', 'after']);
    } finally {
      fs.unlinkSync(link);
    }
  });
});
