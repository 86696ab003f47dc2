/** copySessions (src/app/copy-sessions.ts): whole refusals, and a session created by another writer mid-copy. */
import { describe, expect, it } from 'vitest';
import { copySessions } from '../src/app/copy-sessions.js';
import { InvalidInputError, MemoryTaskStore, TaskManager, encodeTaskList } from '../src/index.js';

async function storeWith(sessions: string[]): Promise<MemoryTaskStore> {
  const store = new MemoryTaskStore();
  const manager = new TaskManager('.', { store });
  for (const s of sessions) await manager.createTask(s, `task of ${s}`, '');
  return store;
}

async function text(store: MemoryTaskStore, session: string): Promise<string | null> {
  const stored = await store.read(session, null);
  return stored === null ? null : encodeTaskList(stored.list);
}

describe('copySessions', () => {
  it('refuses the whole copy when sessions are in the way, writing nothing', async () => {
    const source = await storeWith(['a', 'b', 'c']);
    const target = await storeWith(['c']);
    const error = await copySessions(source, target, {}, { from: 'src', to: 'dst' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain("refusing to overwrite session 'c' already in dst; nothing was copied");
    expect(await target.listSessions()).toEqual(['c']);
  });

  it('leaves a session another writer created after the check, and copies the rest', async () => {
    const source = await storeWith(['a', 'b', 'c']);
    // The target gets session 'b' from another writer right after copy has looked at it.
    class Racing extends MemoryTaskStore {
      override async listSessions(): Promise<string[]> {
        const listed = await super.listSessions();
        await new TaskManager('.', { store: this }).createTask('b', 'written by someone else', '');
        return listed;
      }
    }
    const target = new Racing();
    const result = await copySessions(source, target);
    expect(result).toEqual({ copied: ['a', 'c'], overwritten: [], refused: ['b'], historyEntries: 0, withoutHistory: [] });
    expect(await text(target, 'a')).toBe(await text(source, 'a'));
    expect(await text(target, 'b')).toContain('written by someone else');
  });

  it('with force, overwrites and says which', async () => {
    const source = await storeWith(['a', 'b']);
    const target = await storeWith(['b']);
    expect(await copySessions(source, target, { force: true, sessions: ['b'] })).toEqual({ copied: ['b'], overwritten: ['b'], refused: [], historyEntries: 0, withoutHistory: [] });
    expect(await text(target, 'b')).toBe(await text(source, 'b'));
  });
});
