/**
 * Live updates: Server-Sent Event streams fed by {@link watchSession}. One watcher per watched
 * session serves every open page of it, whoever makes the change (this process, another process,
 * the CLI). Each batch of changes gets an event id; a page that reconnects sends the last id it
 * saw and is sent what it missed (while the server still remembers it), then re-reads the view.
 * The session list is re-checked twice a second while a page is open and pushed when it changed.
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
/** How often the session list is re-checked while a page is open. */
const SESSIONS_POLL_MS = 500;

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
    if (this.closed) return;
    this.#res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`);
  }

  end(): void {
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

/** Options of the {@link LiveHub}. */
export interface LiveHubOptions {
  /** Poll interval of the session watchers. */
  readonly pollIntervalMs: number;
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
      if (this.#streamCount() === 0) this.#stopSessionsPoll();
    });
    this.#streams.add(stream);
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
    this.#startSessionsPoll();
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

  #startSessionsPoll(): void {
    if (this.#sessionsLoop !== 0 || this.#closed) return;
    const loop = ++this.#loopCount;
    this.#sessionsLoop = loop;
    const tick = async (): Promise<void> => {
      try {
        const json = JSON.stringify(await this.#reader.summaries());
        if (json !== this.#sessionsJson) {
          const first = this.#sessionsJson === '';
          this.#sessionsJson = json;
          if (!first) for (const stream of this.#streams) stream.send('sessions', json);
        }
      } catch {
        // the next tick tries again
      }
      if (this.#sessionsLoop === loop) this.#sessionsTimer = setTimeout(() => void tick(), SESSIONS_POLL_MS).unref();
    };
    this.#sessionsTimer = setTimeout(() => void tick(), 0).unref();
  }

  #stopSessionsPoll(): void {
    this.#sessionsLoop = 0;
    if (this.#sessionsTimer !== null) clearTimeout(this.#sessionsTimer);
    this.#sessionsTimer = null;
  }

  /** Ends every stream and stops every watcher. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopSessionsPoll();
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
