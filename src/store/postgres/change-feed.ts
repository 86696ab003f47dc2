/**
 * The live change feed of a PostgreSQL store (docs/architecture.md, "Change feed"). Every commit
 * notifies the channel {@link CHANGE_CHANNEL} inside its transaction (so only commits that land are
 * announced) with the payload `[schema, sessionId, version]`. Here one dedicated connection per
 * store, outside its pool (a listening connection is never handed to other work), runs `LISTEN`
 * while anyone subscribes and hands each notification of this store's schema to the subscribers
 * of that session and of every session.
 *
 * The connection is reference-counted: the first subscription opens it, the last one leaving
 * closes it. When it drops, every subscriber is told (`onError`), the feed reconnects with
 * exponential backoff, and once it listens again every subscriber gets `onResync`: what was
 * committed meanwhile was not announced, so subscribers re-read what they watch (one subscribing
 * during the outage is resolved at once and resynchronised the same way). Nothing here throws
 * into the event loop: connection errors are caught and reported, never left unhandled.
 *
 * The connection is the store's: it keeps the process alive until the last subscription ends or
 * the store is closed.
 */
import type { Client, Notification } from 'pg';
import { TaskError, TaskIoError } from '../../errors.js';
import type { ChangeFeedHandlers, StoreChangeFeed } from '../task-store.js';

/** The notification channel every store's commits are announced on (one for all schemas). */
export const CHANGE_CHANNEL = 'gestura_tasks_changes';

/** Options of a {@link PostgresChangeFeed}. */
export interface PostgresChangeFeedOptions {
  /** A new, unconnected client to the store's server, with the store's settings (not from a pool). */
  readonly newClient: () => Client;
  /** The store's schema: notifications of other schemas are ignored. */
  readonly schema: string;
  /** Bound of connecting and of the LISTEN itself, in milliseconds. */
  readonly timeoutMs: number;
  /** Names the store in error messages (e.g. `postgres://host:5432/db#schema`, never a password). */
  readonly where: string;
  /** First delay before reconnecting; doubled per failed attempt. Default 100 ms. */
  readonly minBackoffMs?: number;
  /** Longest delay between reconnection attempts. Default 5,000 ms. */
  readonly maxBackoffMs?: number;
}

interface Subscriber {
  readonly sessionId: string | null;
  readonly handlers: ChangeFeedHandlers;
}

/** Calls a subscriber's handler, ignoring what it throws (a subscriber cannot break the feed). */
function call(fn: () => void): void {
  try {
    fn();
  } catch {
    // ignored, as documented on ChangeFeedHandlers
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `promise`, or a TaskIoError after `ms`; `onLate` receives the value if it arrives after that. */
function within<T>(promise: Promise<T>, ms: number, what: string, onLate: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new TaskIoError(`${what}: no answer within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (done) onLate(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!done) reject(error);
      },
    );
  });
}

/** The {@link StoreChangeFeed} of one PostgreSQL store. */
export class PostgresChangeFeed implements StoreChangeFeed {
  readonly #options: PostgresChangeFeedOptions;
  /** Subscribers by session (null: every session). O(1) to find a notification's subscribers. */
  readonly #subscribers = new Map<string | null, Set<Subscriber>>();
  #count = 0;
  /** The listening connection, while it listens. */
  #client: Client | null = null;
  /** The connection being opened (the first one, or a reconnection). */
  #opening: Promise<void> | null = null;
  /** The pending reconnection attempt, while the connection is down. */
  #retry: NodeJS.Timeout | null = null;
  #failures = 0;
  /** The connection was lost and is being re-established (subscribers will get onResync). */
  #recovering = false;
  #lastReported: string | null = null;
  /** Bumped whenever the connection is given up, so late callbacks of an old one do nothing. */
  #generation = 0;
  #closed = false;

  constructor(options: PostgresChangeFeedOptions) {
    this.#options = options;
  }

  /** True while the feed's connection listens (false while down, reconnecting or unused). */
  get listening(): boolean {
    return this.#client !== null;
  }

  async subscribe(sessionId: string | null, handlers: ChangeFeedHandlers): Promise<() => Promise<void>> {
    if (this.#closed) throw new TaskIoError(`the change feed of ${this.#options.where} is closed (the store was closed)`);
    const subscriber: Subscriber = { sessionId, handlers };
    this.#add(subscriber);
    let ended = false;
    const unsubscribe = async (): Promise<void> => {
      if (ended) return;
      ended = true;
      if (this.#remove(subscriber) && this.#count === 0) await this.#stop();
    };
    // Down and recovering: resolve now, the subscriber is resynchronised once the feed is back.
    if (this.#client !== null || this.#recovering) return unsubscribe;
    try {
      // An opening begun before the last unsubscribe gives its connection up: open again then.
      while (this.#client === null && !this.#recovering && !this.#closed) await (this.#opening ??= this.#open());
    } catch (error) {
      await unsubscribe();
      throw error instanceof TaskError ? error : new TaskIoError(`cannot listen for changes of ${this.#options.where}: ${reason(error)}`, { cause: error });
    }
    if (this.#closed) throw new TaskIoError(`the change feed of ${this.#options.where} is closed (the store was closed)`);
    return unsubscribe;
  }

  /** Ends every subscription and the connection; later subscriptions fail. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subscribers.clear();
    this.#count = 0;
    await this.#stop();
  }

  #add(subscriber: Subscriber): void {
    let set = this.#subscribers.get(subscriber.sessionId);
    if (set === undefined) this.#subscribers.set(subscriber.sessionId, (set = new Set()));
    set.add(subscriber);
    this.#count++;
  }

  #remove(subscriber: Subscriber): boolean {
    const set = this.#subscribers.get(subscriber.sessionId);
    if (set === undefined || !set.delete(subscriber)) return false;
    if (set.size === 0) this.#subscribers.delete(subscriber.sessionId);
    this.#count--;
    return true;
  }

  #all(): Subscriber[] {
    return [...this.#subscribers.values()].flatMap((set) => [...set]);
  }

  /** Opens the connection and listens; on failure leaves nothing open and rejects. */
  async #open(): Promise<void> {
    const { newClient, timeoutMs, where } = this.#options;
    const generation = this.#generation;
    try {
      const client = newClient();
      // From the start: a connection that fails before it listens must not emit an unhandled 'error'.
      const lost = (error?: Error): void => this.#lost(client, error);
      client.on('error', lost);
      client.on('end', lost);
      client.on('notification', (message) => this.#notified(message));
      // Each step: on failure the client is dropped and the error goes up; when the feed was
      // closed or restarted meanwhile (a newer generation), the client is dropped quietly.
      const step = async (work: Promise<unknown>, failure: string, onTimeout: () => void): Promise<boolean> => {
        try {
          await within(work, timeoutMs, failure, onTimeout);
        } catch (error) {
          void this.#drop(client);
          throw error;
        }
        if (generation === this.#generation) return true;
        void this.#drop(client);
        return false;
      };
      if (!(await step(client.connect(), `cannot connect to ${where} to listen for changes`, () => void this.#drop(client)))) return;
      if (!(await step(client.query(`LISTEN ${CHANGE_CHANNEL}`), `cannot listen for changes of ${where}`, () => undefined))) return;
      this.#client = client;
    } finally {
      this.#opening = null;
    }
  }

  /** Ends `client`'s connection (once); resolves when it is closed. */
  #drop(client: Client): Promise<void> {
    if (this.#client === client) this.#client = null;
    const dropped = client as Client & { gesturaEnded?: Promise<void> };
    if (dropped.gesturaEnded !== undefined) return dropped.gesturaEnded;
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    // A broken client may still emit 'error' after this: keep a listener so it is never unhandled.
    client.removeAllListeners('error');
    client.on('error', () => undefined);
    dropped.gesturaEnded = client.end().catch(() => undefined);
    return dropped.gesturaEnded;
  }

  #notified(message: Notification): void {
    if (message.channel !== CHANGE_CHANNEL || message.payload === undefined) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message.payload);
    } catch {
      return;
    }
    if (!Array.isArray(payload) || payload[0] !== this.#options.schema || typeof payload[1] !== 'string') return;
    const sessionId = payload[1];
    for (const key of [sessionId, null]) {
      for (const subscriber of [...(this.#subscribers.get(key) ?? [])]) call(() => subscriber.handlers.onChange(sessionId));
    }
  }

  /** The listening connection dropped: tell everyone, then reconnect. */
  #lost(client: Client, error?: Error): void {
    if (client !== this.#client) return;
    void this.#drop(client);
    this.#recovering = true;
    this.#report(new TaskIoError(`lost the change feed of ${this.#options.where}${error === undefined ? '' : `: ${error.message}`}; reconnecting`, { cause: error }));
    this.#scheduleRetry();
  }

  /** Tells every subscriber about `error`, unless it only repeats the previous report. */
  #report(error: TaskIoError): void {
    if (error.message === this.#lastReported) return;
    this.#lastReported = error.message;
    for (const subscriber of this.#all()) call(() => subscriber.handlers.onError(error));
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#count === 0 || this.#retry !== null) return;
    const min = this.#options.minBackoffMs ?? 100;
    const max = this.#options.maxBackoffMs ?? 5_000;
    const delay = Math.min(max, min * 2 ** Math.min(this.#failures, 30));
    // Jitter: many hosts losing one server must not reconnect in lockstep.
    this.#retry = setTimeout(() => void this.#reconnect(), delay * (0.5 + Math.random() / 2));
  }

  async #reconnect(): Promise<void> {
    this.#retry = null;
    if (this.#closed || this.#count === 0) return;
    try {
      await (this.#opening ??= this.#open());
    } catch (error) {
      this.#failures++;
      this.#report(error instanceof TaskIoError ? error : new TaskIoError(`cannot listen for changes of ${this.#options.where}: ${reason(error)}`, { cause: error }));
      this.#scheduleRetry();
      return;
    }
    if (this.#client === null) return; // stopped meanwhile
    this.#recovering = false;
    this.#failures = 0;
    this.#lastReported = null;
    for (const subscriber of this.#all()) call(() => subscriber.handlers.onResync());
  }

  /** Closes the connection and any pending reconnection (no subscriber is left, or closing). */
  async #stop(): Promise<void> {
    this.#generation++;
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    this.#failures = 0;
    this.#recovering = false;
    this.#lastReported = null;
    const client = this.#client;
    this.#client = null; // at once: a subscription made meanwhile opens a new connection
    const ending = client === null ? Promise.resolve() : this.#drop(client);
    await this.#opening?.catch(() => undefined);
    await within(ending, this.#options.timeoutMs, 'closing the change feed', () => undefined).catch(() => undefined);
  }
}
