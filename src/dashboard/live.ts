/**
 * Live updates: Server-Sent Event streams fed by {@link watchSession}. One watcher per watched
 * session serves every open page of it, whoever makes the change (this process, another process,
 * the CLI). Each batch of changes gets an event id; a page that reconnects sends the last id it
 * saw and is sent what it missed (while the server still remembers it), then re-reads the view.
 * The session list is pushed when it changed, while a page is open: on a store with a change
 * feed (PostgreSQL) when a commit is announced (only the sessions announced are read again; a new
 * one lists the sessions again, a resync after a lost feed re-reads everything) and when a lease
 * runs out; on other stores it is re-checked every `sessionsIntervalMs` (default twice a second).
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { TaskChangeEvent } from '../events.js';
import type { TaskManager } from '../manager.js';
import { watchSession, type SessionWatcher } from '../watch/index.js';
import type { ChangeLogEntry, ChangesMessage, HelloMessage } from './protocol.js';
import type { SessionReader } from './sessions.js';
import { changeLogEntries } from './view-model.js';

/** Change batches remembered per session for reconnecting pages. */
const REMEMBERED_BATCHES = 200;
/** A session's watcher keeps running this long after its last page left, so a reconnect can catch up. */
const LINGER_MS = 60_000;
/** Comment line sent this often so proxies and browsers keep an idle stream open. */
const KEEPALIVE_MS = 15_000;
/** How often the session list is re-checked while a page is open, on a store without a change feed. */
export const DEFAULT_SESSIONS_INTERVAL_MS = 500;

/** One open event stream. */
class Stream {
  readonly #res: ServerResponse;
  readonly #keepalive: NodeJS.Timeout;
  closed = false;

  constructor(res: ServerResponse, onClose: () => void) {
    this.#res = res;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // Reconnect one second after losing the connection.
    res.write('retry: 1000\n\n');
    this.#keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    this.#keepalive.unref();
    res.on('close', () => {
      this.closed = true;
      clearInterval(this.#keepalive);
      onClose();
    });
  }

  /** Sends one event; `data` must be JSON text (one line). */
  send(event: string, data: string, id?: string): void {
    if (this.closed || this.#res.writableEnded) return;
    this.#res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`);
  }

  end(): void {
    // Closed from now on: a push computed before the server closed must not write after the end.
    this.closed = true;
    clearInterval(this.#keepalive);
    this.#res.end();
  }
}

/** The watcher, clients and remembered changes of one session. */
class Channel {
  /** Distinguishes this channel's event ids from those of an earlier run or channel. */
  readonly epoch = randomBytes(6).toString('hex');
  readonly streams = new Set<Stream>();
  readonly batches: { seq: number; entries: ChangeLogEntry[] }[] = [];
  seq = 0;
  watcher: Promise<SessionWatcher> | null = null;
  linger: NodeJS.Timeout | null = null;
  pending: TaskChangeEvent[] = [];
  /** The last problem reported to the pages (cleared by the next change seen). */
  problem: string | null = null;

  constructor(readonly sessionId: string) {}

  /** The events of one poll arrive one by one, synchronously: send them as one batch. */
  collect(event: TaskChangeEvent): void {
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push(event);
  }

  flush(): void {
    const events = this.pending.splice(0);
    if (events.length === 0) return;
    this.problem = null;
    const entries = changeLogEntries(events, new Date());
    this.seq++;
    this.batches.push({ seq: this.seq, entries });
    if (this.batches.length > REMEMBERED_BATCHES) this.batches.shift();
    const message: ChangesMessage = { sessionId: this.sessionId, entries };
    const data = JSON.stringify(message);
    for (const stream of this.streams) stream.send('changes', data, `${this.epoch}.${this.seq}`);
  }

  /** Entries after event id `lastId`, when it is one of ours; else none. */
  missedSince(lastId: string | undefined): ChangeLogEntry[] {
    if (lastId === undefined) return [];
    const [epoch, seqText] = lastId.split('.');
    const seq = Number(seqText);
    if (epoch !== this.epoch || !Number.isInteger(seq)) return [];
    return this.batches.filter((b) => b.seq > seq).flatMap((b) => b.entries);
  }

  get lastId(): string {
    return `${this.epoch}.${this.seq}`;
  }
}

/** The session list kept fresh from the store's change feed. */
interface FeedWatch {
  /** Which start this is (announcements of an earlier subscription are ignored). */
  readonly loop: number;
  /** Resolves once the feed listens and the first list is computed (or the timer took over). */
  ready: Promise<void>;
  unsubscribe: (() => Promise<void>) | null;
}

/** Options of the {@link LiveHub}. */
export interface LiveHubOptions {
  /** Poll interval of the session watchers. */
  readonly pollIntervalMs: number;
  /** How often the session list is re-checked on a store without a change feed. */
  readonly sessionsIntervalMs: number;
  readonly writable: boolean;
}

/** All event streams of one dashboard server. */
export class LiveHub {
  readonly #manager: TaskManager;
  readonly #reader: SessionReader;
  readonly #options: LiveHubOptions;
  readonly #channels = new Map<string, Channel>();
  /** Streams without a session (they only get the session list). */
  readonly #streams = new Set<Stream>();
  #sessionsTimer: NodeJS.Timeout | null = null;
  #sessionsJson = '';
  /** The running session-list loop (0: none) and the count of loops started. */
  #sessionsLoop = 0;
  #loopCount = 0;
  #closed = false;
  /** The session list driven by the store's change feed (null: not running). */
  #feed: FeedWatch | null = null;
  /** What the feed announced since the last push: sessions, "everything" (a resync), or a lease end. */
  readonly #announced = new Set<string>();
  #announcedAll = false;
  #leaseDue = false;
  #pushing = false;
  #leaseTimer: NodeJS.Timeout | null = null;

  constructor(manager: TaskManager, reader: SessionReader, options: LiveHubOptions) {
    this.#manager = manager;
    this.#reader = reader;
    this.#options = options;
  }

  /**
   * Opens an event stream on `res` for `sessionId` (already validated) or for the session list
   * only (null). `lastEventId` is the browser's `Last-Event-ID`, for catching up.
   */
  async open(res: ServerResponse, sessionId: string | null, lastEventId: string | undefined): Promise<void> {
    if (this.#closed) {
      res.writeHead(503).end();
      return;
    }
    const channel = sessionId === null ? null : this.#channel(sessionId);
    const stream = new Stream(res, () => {
      this.#streams.delete(stream);
      if (channel !== null) {
        channel.streams.delete(stream);
        if (channel.streams.size === 0) this.#release(channel);
      }
      if (this.#streamCount() === 0) this.#stopSessionsWatch();
    });
    this.#streams.add(stream);
    // With a change feed, hello comes once the feed listens: every commit after it is pushed. (A
    // session list pushed meanwhile may come first: the page just replaces its list.)
    await this.#startSessionsWatch();
    if (stream.closed) return;
    let problem: string | null = null;
    if (channel !== null) {
      channel.streams.add(stream);
      if (channel.linger !== null) clearTimeout(channel.linger);
      channel.linger = null;
      try {
        await this.#start(channel);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
    }
    const hello: HelloMessage = {
      sessionId,
      writable: this.#options.writable,
      missed: channel?.missedSince(lastEventId) ?? [],
    };
    if (stream.closed) return; // the page left while the watcher started
    stream.send('hello', JSON.stringify(hello), channel?.lastId);
    if (problem !== null) stream.send('problem', JSON.stringify({ message: problem }));
  }

  #streamCount(): number {
    return this.#streams.size;
  }

  #channel(sessionId: string): Channel {
    let channel = this.#channels.get(sessionId);
    if (channel === undefined) {
      channel = new Channel(sessionId);
      this.#channels.set(sessionId, channel);
    }
    return channel;
  }

  async #start(channel: Channel): Promise<void> {
    if (channel.watcher === null) {
      const started = watchSession(this.#manager, channel.sessionId, (event) => channel.collect(event), {
        intervalMs: this.#options.pollIntervalMs,
        persistent: false,
        onError: (error) => {
          // A broken file fails every poll: tell the pages once per distinct problem.
          if (error.message === channel.problem) return;
          channel.problem = error.message;
          const data = JSON.stringify({ message: error.message });
          for (const stream of channel.streams) stream.send('problem', data);
        },
      });
      channel.watcher = started;
      started.catch(() => {
        if (channel.watcher === started) channel.watcher = null; // retried by the next page
      });
    }
    await channel.watcher;
  }

  #release(channel: Channel): void {
    if (channel.linger !== null) clearTimeout(channel.linger);
    channel.linger = setTimeout(() => {
      if (channel.streams.size > 0) return;
      this.#channels.delete(channel.sessionId);
      void channel.watcher?.then((w) => w.close()).catch(() => undefined);
    }, LINGER_MS);
    channel.linger.unref();
  }

  /** Computes the session list (`changed`: see SessionReader.summaries) and pushes it when it changed. */
  async #pushSessions(changed?: ReadonlySet<string>): Promise<void> {
    try {
      const json = JSON.stringify(await this.#reader.summaries(changed));
      if (json !== this.#sessionsJson) {
        const first = this.#sessionsJson === '';
        this.#sessionsJson = json;
        if (!first) for (const stream of this.#streams) stream.send('sessions', json);
      }
    } catch {
      // the next announcement (or tick) tries again
    }
  }

  /** Starts keeping the session list fresh (once, while pages are open): from the feed where the store has one. */
  #startSessionsWatch(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#feed !== null) return this.#feed.ready;
    if (this.#sessionsLoop !== 0) return Promise.resolve();
    const changes = this.#manager.store.changes;
    if (changes === undefined) {
      this.#startSessionsPoll();
      return Promise.resolve();
    }
    const loop = ++this.#loopCount;
    const feed: FeedWatch = { loop, ready: Promise.resolve(), unsubscribe: null };
    this.#feed = feed;
    feed.ready = (async () => {
      let unsubscribe: () => Promise<void>;
      try {
        unsubscribe = await changes.subscribe(null, {
          onChange: (sessionId) => this.#announce(loop, sessionId),
          onResync: () => this.#announce(loop, null),
          onError: () => undefined, // the feed reconnects by itself, then resyncs
        });
      } catch {
        // No feed after all (it cannot listen): the timer does it.
        if (this.#feed === feed) {
          this.#feed = null;
          if (this.#streamCount() > 0) this.#startSessionsPoll();
        }
        return;
      }
      if (this.#feed !== feed) {
        await unsubscribe().catch(() => undefined); // stopped while subscribing
        return;
      }
      feed.unsubscribe = unsubscribe;
      this.#announce(loop, null);
      await this.#whenPushed();
    })();
    return feed.ready;
  }

  /** The feed announced a commit to `sessionId` (null: everything may have changed). Coalesced: one push runs at a time. */
  #announce(loop: number, sessionId: string | null | 'lease'): void {
    if (this.#feed?.loop !== loop) return;
    if (sessionId === null) this.#announcedAll = true;
    else if (sessionId === 'lease') this.#leaseDue = true;
    else this.#announced.add(sessionId);
    if (this.#pushing) return;
    this.#pushing = true;
    void (async () => {
      try {
        while (this.#feed !== null && (this.#announcedAll || this.#leaseDue || this.#announced.size > 0)) {
          const changed = this.#announcedAll ? undefined : new Set(this.#announced);
          this.#announcedAll = false;
          this.#leaseDue = false;
          this.#announced.clear();
          await this.#pushSessions(changed);
          if (this.#feed !== null) this.#armLeaseTimer(this.#feed.loop);
        }
      } finally {
        // Synchronously after the last check: an announcement from here on starts a new push.
        this.#pushing = false;
        for (const wake of this.#pushedWaiters.splice(0)) wake();
      }
    })();
  }

  readonly #pushedWaiters: (() => void)[] = [];

  /** Resolves once no push is running. */
  #whenPushed(): Promise<void> {
    if (!this.#pushing) return Promise.resolve();
    return new Promise((resolve) => this.#pushedWaiters.push(resolve));
  }

  /** A lease running out changes the list without any commit: a push is due then. */
  #armLeaseTimer(loop: number): void {
    if (this.#leaseTimer !== null) clearTimeout(this.#leaseTimer);
    this.#leaseTimer = null;
    const at = this.#reader.nextLeaseEnd();
    if (at === null) return;
    const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    this.#leaseTimer = setTimeout(() => this.#announce(loop, 'lease'), delay).unref();
  }

  #startSessionsPoll(): void {
    if (this.#sessionsLoop !== 0 || this.#closed) return;
    const loop = ++this.#loopCount;
    this.#sessionsLoop = loop;
    const tick = async (): Promise<void> => {
      await this.#pushSessions();
      if (this.#sessionsLoop === loop) this.#sessionsTimer = setTimeout(() => void tick(), this.#options.sessionsIntervalMs).unref();
    };
    this.#sessionsTimer = setTimeout(() => void tick(), 0).unref();
  }

  #stopSessionsWatch(): void {
    this.#sessionsLoop = 0;
    if (this.#sessionsTimer !== null) clearTimeout(this.#sessionsTimer);
    this.#sessionsTimer = null;
    if (this.#leaseTimer !== null) clearTimeout(this.#leaseTimer);
    this.#leaseTimer = null;
    const feed = this.#feed;
    this.#feed = null;
    this.#announced.clear();
    this.#announcedAll = false;
    this.#leaseDue = false;
    if (feed?.unsubscribe) void feed.unsubscribe().catch(() => undefined);
  }

  /** Ends every stream and stops every watcher. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopSessionsWatch();
    for (const stream of [...this.#streams]) stream.end();
    const watchers: Promise<void>[] = [];
    for (const channel of this.#channels.values()) {
      if (channel.linger !== null) clearTimeout(channel.linger);
      if (channel.watcher !== null) watchers.push(channel.watcher.then((w) => w.close()).catch(() => undefined));
    }
    this.#channels.clear();
    await Promise.all(watchers);
  }
}
