/**
 * `copy` moves the session history with the list (StoreHistory.importSession): on the real stores
 * (files and the test PostgreSQL server), files → PostgreSQL → files gives the same session bytes
 * and the same history entries; an overwrite replaces the old history instead of leaving entries
 * that belong to another list; a target that keeps no history gets the list and is named; and the
 * CLI does the same as a child process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copySessions } from '../src/app/copy-sessions.js';
import { HISTORY_SEQ_KEY, type HistoryEntry } from '../src/history.js';
import { InvalidInputError, MemoryTaskStore, TaskManager, encodeTaskList } from '../src/index.js';
import { FileTaskStore } from '../src/store/file-store.js';
import { historyFileOf, historyLines, readHistoryFile } from '../src/store/history-file.js';
import type { TaskStore } from '../src/store/task-store.js';
import { cleanTempDirsAfterEach, installFixture, tempDir } from './helpers/env.js';
import { dropSchema, postgresStore, testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';
import { runTsx } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();

type Kind = 'file' | 'postgres' | 'memory';

function storeOf(kind: Kind, history = true): { store: TaskStore; dir: string } {
  const dir = tempDir();
  if (kind === 'file') return { store: new FileTaskStore(dir, { history }), dir };
  if (kind === 'memory') return { store: new MemoryTaskStore({ history }), dir };
  return { store: postgresStore({ history }), dir };
}

/** A session with a story: created, renamed, a dependency, a claim taken and released, completed. */
async function tellStory(store: TaskStore, session: string, actor = 'agent-1'): Promise<void> {
  const manager = new TaskManager('.', { store, actor });
  const a = await manager.createTask(session, 'Write "parser" \\ tests', 'x');
  const b = await manager.createTask(session, 'Ship it', '');
  await manager.addTaskDependency(session, b.id, a.id);
  await manager.updateTask(session, a.id, 'Write the parser tests');
  await manager.claimTask(session, a.id, 'worker-7', { leaseMs: 60_000 });
  await manager.updateTaskStatus(session, a.id, 'completed', { agentId: 'reviewer-2' });
}

async function text(store: TaskStore, session: string): Promise<string> {
  const stored = await store.read(session, null);
  if (stored === null) throw new Error(`no session ${session}`);
  return encodeTaskList(stored.list);
}

const history = (store: TaskStore, session: string): Promise<HistoryEntry[]> => (store.history as NonNullable<TaskStore['history']>).read(session);

describe('copy keeps the history', () => {
  it('files → PostgreSQL → files: the same session bytes and the same history entries, and commits go on from there', { timeout: 60_000 }, async () => {
    const files = storeOf('file');
    await tellStory(files.store, 's1');
    await tellStory(files.store, 's2', 'agent-2');
    const original = await history(files.store, 's1');
    expect(original.length).toBeGreaterThan(5);
    expect(original.map((e) => e.change.type)).toEqual(expect.arrayContaining(['created', 'renamed', 'dependency_added', 'claim_taken', 'status_changed']));

    const db = storeOf('postgres');
    const up = await copySessions(files.store, db.store);
    expect(up).toMatchObject({ copied: ['s1', 's2'], withoutHistory: [] });
    expect(up.historyEntries).toBe(original.length + (await history(files.store, 's2')).length);
    expect(await history(db.store, 's1')).toEqual(original);
    expect(await text(db.store, 's1')).toBe(await text(files.store, 's1'));

    const back = storeOf('file');
    await copySessions(db.store, back.store);
    for (const s of ['s1', 's2']) {
      const file = (store: TaskStore): string => fs.readFileSync(store.locate(s), 'utf8');
      expect(file(back.store)).toBe(file(files.store));
      expect(await history(back.store, s)).toEqual(await history(files.store, s));
      expect(fs.readFileSync(historyFileOf(back.store.locate(s)), 'utf8')).toBe(fs.readFileSync(historyFileOf(files.store.locate(s)), 'utf8'));
    }

    // The copy goes on where the original stopped: the next commit is the next sequence.
    const seq = original.at(-1)?.seq as number;
    for (const store of [db.store, back.store]) {
      const manager = new TaskManager('.', { store, actor: 'after-copy' });
      await manager.createTask('s1', 'one more', '');
      const now = await history(store, 's1');
      expect(now.slice(0, original.length)).toEqual(original);
      expect(now.at(-1)).toMatchObject({ seq: seq + 1, actor: 'after-copy', change: { type: 'created', name: 'one more' } });
    }
  });

  it.each<[Kind, Kind]>([
    ['file', 'file'],
    ['postgres', 'file'],
    ['file', 'postgres'],
    ['memory', 'postgres'],
  ])('%s → %s with --force replaces the old history: no entry of the overwritten list is left', { timeout: 60_000 }, async (from, to) => {
    const source = storeOf(from);
    await tellStory(source.store, 's');
    const target = storeOf(to);
    // The target's session has a longer story of its own: its sequences cover the source's.
    await tellStory(target.store, 's', 'someone-else');
    await tellStory(target.store, 's', 'someone-else');
    expect((await history(target.store, 's')).length).toBeGreaterThan((await history(source.store, 's')).length);

    const result = await copySessions(source.store, target.store, { force: true });
    expect(result).toMatchObject({ copied: ['s'], overwritten: ['s'] });
    expect(await history(target.store, 's')).toEqual(await history(source.store, 's'));
    expect(await text(target.store, 's')).toBe(await text(source.store, 's'));
    // Read by another store on the same place, as another process would.
    const other = to === 'file' ? new FileTaskStore(target.dir, { history: true }) : postgresStore({ history: true, schema: (target.store as unknown as { schema: string }).schema });
    expect(await history(other, 's')).toEqual(await history(source.store, 's'));
  });

  it('from a store that keeps no history, the target keeps none for the session either', async () => {
    const source = storeOf('file', false);
    const target = storeOf('file');
    await tellStory(target.store, 's');
    await new TaskManager(source.dir).createTask('s', 'no history here', '');
    const result = await copySessions(source.store, target.store, { force: true });
    expect(result).toMatchObject({ copied: ['s'], historyEntries: 0, withoutHistory: [] });
    expect(await history(target.store, 's')).toEqual([]);
  });

  it('to a store that keeps no history: the list is copied, and the result names the sessions whose history stayed behind', async () => {
    const source = storeOf('postgres');
    await tellStory(source.store, 's');
    const target = storeOf('file', false);
    const result = await copySessions(source.store, target.store);
    expect(result).toMatchObject({ copied: ['s'], historyEntries: 0, withoutHistory: ['s'] });
    expect(await text(target.store, 's')).toBe(await text(source.store, 's'));
    expect(fs.existsSync(historyFileOf(target.store.locate('s')))).toBe(false);
  });
});

describe('StoreHistory.importSession', () => {
  it.each<Kind>(['file', 'postgres', 'memory'])('%s: leaves out entries beyond the list sequence, applies the retention, refuses malformed entries writing nothing', async (kind) => {
    const source = storeOf('memory');
    await tellStory(source.store, 's');
    const stored = await source.store.read('s', null);
    const entries = await history(source.store, 's');
    const seq = stored?.list.extraValue(HISTORY_SEQ_KEY) as number;
    const beyond: HistoryEntry = { ...(entries.at(-1) as HistoryEntry), seq: seq + 1, operation: 'never landed' };

    const { store } = storeOf(kind);
    const importSession = store.history?.importSession?.bind(store.history);
    if (importSession === undefined) throw new Error('no importSession');
    const bad = [...entries.slice(0, 2), { ...entries[2], seq: 0 }];
    const refused = await store.withLock('s', async () => importSession('s', stored!.list.clone(), null, bad as HistoryEntry[])).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as Error).message).toContain('history entry 2: seq must be a positive integer');
    expect(await store.read('s', null)).toBeNull();
    const backwards = [entries[1], entries[0]] as HistoryEntry[];
    if ((entries[1] as HistoryEntry).seq > (entries[0] as HistoryEntry).seq) {
      await expect(store.withLock('s', async () => importSession('s', stored!.list.clone(), null, backwards))).rejects.toThrow('oldest first');
    }

    await store.withLock('s', async () => importSession('s', stored!.list.clone(), await store.read('s', null), [...entries, beyond]));
    expect(await history(store, 's')).toEqual(entries);
    expect(await text(store, 's')).toBe(await text(source.store, 's'));

    // The retention of the store applies to what is imported: the newest entries are kept.
    const small = kind === 'file' ? new FileTaskStore(tempDir(), { history: { maxEntries: 3 } }) : kind === 'memory' ? new MemoryTaskStore({ history: { maxEntries: 3 } }) : postgresStore({ history: { maxEntries: 3 } });
    await small.withLock('s', async () => small.history!.importSession!('s', stored!.list.clone(), null, entries));
    expect(await history(small, 's')).toEqual(entries.slice(-3));
  });
});

describe('gestura-tasks copy with the history (child processes)', () => {
  it('files → PostgreSQL → files: the same session files, the same history files; `history` reads them on the database', { timeout: 120_000 }, async () => {
    const from = tempDir();
    installFixture(from, 'rust-tree-deps'); // a Rust file: no history, no history_seq
    const manager = new TaskManager(from, { history: true, actor: 'agent-1' });
    const made = await manager.createTask('with-history', 'Tell the story', '');
    await manager.updateTaskStatus('with-history', made.id, 'in_progress', { agentId: 'worker-3' });
    const expected = await manager.history('with-history');

    const schema = uniqueSchema('copyh');
    const url = `${testDatabaseUrl()}#${schema}`;
    const cli = (args: string[]) => runTsx('src/cli/main.ts', args, { env: { ...process.env, GESTURA_TASKS_DATABASE_URL: '' } });
    try {
      const up = await cli(['copy', '--from', from, '--to', url]);
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      expect(up.stdout).toContain(`With their history: ${expected.length} entries`);
      const shown = await cli(['--json', '--database-url', url, '--session', 'with-history', 'history']);
      expect(shown.code).toBe(0);
      expect(JSON.stringify(JSON.parse(shown.stdout))).toContain('"actor":"worker-3"');

      const back = tempDir();
      const down = await cli(['copy', '--from', url, '--to', back]);
      expect(down.code).toBe(0);
      const tasks = (dir: string): string => path.join(dir, '.gestura', 'tasks');
      const listing = (dir: string): string[] => fs.readdirSync(tasks(dir)).filter((n) => n.endsWith('.json') || n.endsWith('.jsonl')).sort();
      expect(listing(back)).toEqual(listing(from));
      expect(listing(back)).toEqual(['rust-tree-deps.json', 'with-history.history.jsonl', 'with-history.json']);
      for (const name of listing(from)) expect(fs.readFileSync(path.join(tasks(back), name), 'utf8')).toBe(fs.readFileSync(path.join(tasks(from), name), 'utf8'));
      expect(await new TaskManager(back, { history: true }).history('with-history')).toEqual(expected);
    } finally {
      await dropSchema(schema);
    }
  });
});

describe('reading a history file on from an earlier read', () => {
  it('reads it whole when it was replaced by another history under the same inode and grew (not just the new bytes)', async () => {
    const { store, dir } = storeOf('file');
    await tellStory(store, 's');
    const file = historyFileOf(store.locate('s'));
    const before = readHistoryFile(dir, file);
    expect(before.entries.length).toBeGreaterThan(3);
    // Another list's history, longer, written in place: same device and inode, larger size.
    const other = storeOf('memory');
    await tellStory(other.store, 's', 'someone-else');
    await tellStory(other.store, 's', 'someone-else');
    const replacement = await history(other.store, 's');
    const inode = fs.statSync(file).ino;
    fs.writeFileSync(file, historyLines(replacement));
    expect(fs.statSync(file).ino).toBe(inode);
    expect(readHistoryFile(dir, file, before).entries).toEqual(replacement);
    // A file that only grew is still read on from where the last read stopped.
    const grown = readHistoryFile(dir, file);
    const more = { ...(replacement.at(-1) as HistoryEntry), seq: 99, operation: 'appended' };
    fs.appendFileSync(file, historyLines([more]));
    expect(readHistoryFile(dir, file, grown).entries).toEqual([...replacement, more]);
  });
});
