/**
 * Live changes across hosts on a real PostgreSQL server: two managers on two separate pools (two
 * "machines") share a session; what one commits reaches the other's watcher and change listeners
 * through LISTEN/NOTIFY, without polling; after the listener's connection is killed, the changes
 * committed while it was down are reported once it is back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TaskIoError, TaskManager, watchSession, type StoredList, type TaskChangeEvent, type TaskError, type TaskList, type TaskStore } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { loginRole } from './helpers/login-role.js';
import { postgresStore, uniqueSchema } from './helpers/postgres.js';

const S = 'shared';
/** A watcher interval no test can reach: any event seen came from the feed, not from a timer. */
const NEVER = 2_000_000_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Events delivered to `listener`, and a way to wait until one matches. */
function collector(): { listener: (e: TaskChangeEvent) => void; events: TaskChangeEvent[]; until(pred: (e: TaskChangeEvent) => boolean): Promise<void> } {
  const events: TaskChangeEvent[] = [];
  const waiting: { pred: (e: TaskChangeEvent) => boolean; resolve: () => void }[] = [];
  return {
    events,
    listener: (event) => {
      events.push(event);
      for (const w of waiting.splice(0)) {
        if (w.pred(event)) w.resolve();
        else waiting.push(w);
      }
    },
    until: (pred) => (events.some(pred) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ pred, resolve }))),
  };
}

/** Two hosts on one schema: each with its own store and pool. */
function twoHosts(): { a: TaskManager; b: TaskManager; storeB: PostgresTaskStore } {
  const schema = uniqueSchema('live');
  const storeA = postgresStore({ schema });
  const storeB = postgresStore({ schema });
  return { a: new TaskManager('.', { store: storeA }), b: new TaskManager('.', { store: storeB }), storeB };
}

describe('live changes across hosts (PostgreSQL)', () => {
  it("a commit on one host reaches a watcher on the other without polling", async () => {
    const { a, b } = twoHosts();
    const seen = collector();
    const watcher = await watchSession(b, S, seen.listener, { intervalMs: NEVER });
    cleanups.push(() => watcher.close());

    const task = await a.createTask(S, 'from host A', '');
    await seen.until((e) => e.type === 'created');
    expect(seen.events).toEqual([expect.objectContaining({ type: 'created', sessionId: S, task: expect.objectContaining({ id: task.id, name: 'from host A' }) })]);

    await a.updateTaskStatus(S, task.id, 'completed');
    await seen.until((e) => e.type === 'status_changed');
    await a.deleteTask(S, task.id);
    await seen.until((e) => e.type === 'deleted');
    expect(seen.events.map((e) => e.type)).toEqual(['created', 'updated', 'status_changed', 'deleted']);
    expect(seen.events[2]).toMatchObject({ from: 'NotStarted', to: 'Completed' });
  });

  it("manager.on('change') reports the other host's commits once, its own once, and a session it never saw as list_replaced", async () => {
    const { a, b, storeB } = twoHosts();
    await a.createTask(S, 'before anyone listened', '');
    // Listening starts shortly after on(): make sure host B's feed connection is up first.
    const holdFeed = await storeB.changes.subscribe(null, { onChange: () => undefined, onResync: () => undefined, onError: () => undefined });
    cleanups.push(holdFeed);
    const seen = collector();
    b.on('change', seen.listener);
    cleanups.push(async () => void b.off('change', seen.listener));
    expect(await b.listTasks(S)).toHaveLength(1); // B has now seen the session

    const fromA = await a.createTask(S, 'made on A', '');
    await seen.until((e) => e.type === 'created' && e.task.id === fromA.id);
    const fromB = await b.createTask(S, 'made on B', '');
    const later = await a.createTask(S, 'made on A later', '');
    await seen.until((e) => e.type === 'created' && e.task.id === later.id);
    expect(seen.events.map((e) => (e.type === 'created' ? e.task.name : e.type))).toEqual(['made on A', 'made on B', 'made on A later']);
    expect(seen.events[1]).toMatchObject({ type: 'created', task: { id: fromB.id } });

    // A session B never read, wrote or heard of: B cannot know what that commit changed.
    await a.createTask('elsewhere', 'new session', '');
    await seen.until((e) => e.sessionId === 'elsewhere');
    await a.createTask('elsewhere', 'second', '');
    await seen.until((e) => e.sessionId === 'elsewhere' && e.type === 'created');
    expect(seen.events.filter((e) => e.sessionId === 'elsewhere')).toEqual([
      { type: 'list_replaced', sessionId: 'elsewhere', taskCount: 1 },
      expect.objectContaining({ type: 'created', task: expect.objectContaining({ name: 'second' }) }),
    ]);
  });

  it('two hosts committing at once: each listener hears of every task exactly once', async () => {
    const { a, b, storeB } = twoHosts();
    const holdFeed = await storeB.changes.subscribe(null, { onChange: () => undefined, onResync: () => undefined, onError: () => undefined });
    cleanups.push(holdFeed);
    const seen = collector();
    b.on('change', seen.listener);
    cleanups.push(async () => void b.off('change', seen.listener));
    await b.listTasks(S);

    const made = await Promise.all([
      (async () => { const ids: string[] = []; for (let i = 0; i < 25; i++) ids.push((await a.createTask(S, `a${i}`, '')).id); return ids; })(),
      (async () => { const ids: string[] = []; for (let i = 0; i < 25; i++) ids.push((await b.createTask(S, `b${i}`, '')).id); return ids; })(),
    ]);
    // A last commit on A: once B reports it, B has reported everything committed before it.
    const last = await a.createTask(S, 'last', '');
    await seen.until((e) => e.type === 'created' && e.task.id === last.id);
    const created = seen.events.filter((e) => e.type === 'created').map((e) => (e.type === 'created' ? e.task.id : ''));
    expect([...created].sort()).toEqual([...made.flat(), last.id].sort());
    expect(seen.events.filter((e) => e.type !== 'created')).toEqual([]);
  });

  it('a burst of commits announced while a read is pending costs one more read, not one per commit', async () => {
    const schema = uniqueSchema('burst');
    const a = new TaskManager('.', { store: postgresStore({ schema }) });
    const inner = postgresStore({ schema });
    // Host B's store, seen through a wrapper that counts reads and can hold them at a gate.
    let reads = 0;
    let gate: Promise<void> = Promise.resolve();
    let entered: () => void = () => undefined;
    const counted: TaskStore = {
      changes: inner.changes,
      read: async (sessionId: string, known: StoredList | null) => {
        reads++;
        entered();
        await gate;
        return inner.read(sessionId, known);
      },
      withLock: <T>(sessionId: string, fn: () => Promise<T>) => inner.withLock(sessionId, fn),
      write: (sessionId: string, list: TaskList, basis: StoredList | null) => inner.write(sessionId, list, basis),
      locate: (sessionId: string) => inner.locate(sessionId),
      listSessions: () => inner.listSessions(),
    };
    const seen = collector();
    const watcher = await watchSession(new TaskManager('.', { store: counted }), S, seen.listener, { intervalMs: NEVER });
    cleanups.push(() => watcher.close());
    expect(reads).toBe(1);

    // Another subscriber of the same feed counts the announcements the watcher gets too.
    let announced = 0;
    let allAnnounced: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (allAnnounced = resolve));
    cleanups.push(await inner.changes.subscribe(S, { onChange: () => ++announced === 11 && allAnnounced(), onResync: () => undefined, onError: () => undefined }));

    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    const firstRead = new Promise<void>((resolve) => (entered = resolve));
    await a.createTask(S, 'task 0', '');
    await firstRead; // the watcher's read for the first commit waits at the gate
    for (let i = 1; i <= 10; i++) await a.createTask(S, `task ${i}`, '');
    await all;
    open();
    await seen.until((e) => e.type === 'created' && e.task.name === 'task 10');
    // A poll queues behind any read still queued, and finds nothing new.
    expect(await watcher.poll()).toEqual([]);
    expect(seen.events.filter((e) => e.type === 'created')).toHaveLength(11);
    // The first read, the one held at the gate, one for the ten announced meanwhile, and the poll.
    expect(reads).toBe(4);
  });

  it('after the listening connection is killed, reconnects and reports what was committed meanwhile', async () => {
    // Host B logs in as its own role: the test can cut its listener and keep it from coming back.
    const role = await loginRole();
    const schema = uniqueSchema('drop');
    const storeB = new PostgresTaskStore({ connectionString: role.url }, { schema });
    cleanups.push(() => storeB.close());
    const b = new TaskManager('.', { store: storeB });
    await b.listTasks(S); // B makes the tables (its role owns them; they go with it)
    const a = new TaskManager('.', { store: postgresStore({ schema }) });
    const kept = await a.createTask(S, 'kept', '');
    const gone = await a.createTask(S, 'gone', '');

    const watched = collector();
    const errors: TaskError[] = [];
    let refused!: () => void;
    const down = new Promise<void>((resolve) => (refused = resolve));
    const watcher = await watchSession(b, S, watched.listener, {
      intervalMs: NEVER,
      onError: (error) => {
        errors.push(error);
        if (/not permitted to log in/.test(error.message)) refused();
      },
    });
    cleanups.push(() => watcher.close());
    const heard = collector();
    b.on('change', heard.listener);
    cleanups.push(async () => void b.off('change', heard.listener));
    expect(await b.listTasks(S)).toHaveLength(2);

    await role.refuseLogins();
    expect(await role.cutListeners()).toBe(1);
    await down; // B's feed tried to listen again and was refused: it cannot hear anything now
    expect(errors[0]).toBeInstanceOf(TaskIoError);
    expect(errors[0]?.message).toContain('lost the change feed');

    // Committed while host B cannot listen: no notification can reach it.
    const added = await a.createTask(S, 'added while down', '');
    await a.updateTaskStatus(S, kept.id, 'in_progress');
    await a.deleteTask(S, gone.id);
    expect(watched.events).toEqual([]);
    expect(heard.events).toEqual([]);

    await role.allowLogins();
    await watched.until((e) => e.type === 'deleted');
    await heard.until((e) => e.type === 'deleted');
    for (const events of [watched.events, heard.events]) {
      const summary = events.map((e) => `${e.type}:${'task' in e ? e.task.name : ''}`).sort();
      expect(summary).toEqual(['created:added while down', 'deleted:gone', 'status_changed:kept', 'updated:kept'].sort());
    }
    expect(watched.events.find((e) => e.type === 'created')).toMatchObject({ task: { id: added.id } });
    expect(await role.listening()).toBe(1);
  });
});

