/**
 * An in-process mutex per key: callers with the same key run one at a time, in arrival order.
 * Module-level, so every store instance in the process shares it.
 *
 * Re-entrancy is detected instead of deadlocking: each holder runs in an async context that
 * remembers the keys it holds (AsyncLocalStorage), and asking again for a key the current context
 * still holds throws an InvalidInputError at once (a manager call on a session from inside a
 * `batch` on that session would otherwise wait for itself forever).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { InvalidInputError, TaskIoError } from '../errors.js';

const tails = new Map<string, Promise<void>>();

/** A key held by an async context; `held` turns false when the holder is done. */
interface Hold {
  readonly key: string;
  held: boolean;
}

const holds = new AsyncLocalStorage<readonly Hold[]>();

/** True when the current async context holds `key` right now. O(keys held by this context). */
export function holdsKey(key: string): boolean {
  return (holds.getStore() ?? []).some((h) => h.held && h.key === key);
}

/**
 * Waits for `previous` (the holder before this caller), at most `timeoutMs`; on timeout lets the
 * queue move on without this caller and throws a TaskIoError.
 */
async function waitTurn(
  key: string,
  label: string,
  previous: Promise<void>,
  tail: Promise<void>,
  release: () => void,
  timeoutMs: number,
): Promise<void> {
  if (!Number.isFinite(timeoutMs)) return previous;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), Math.max(0, timeoutMs));
  });
  const outcome = await Promise.race([previous.then(() => false as const), timedOut]);
  clearTimeout(timer);
  if (outcome) {
    release(); // lets the next waiter through as soon as the holder before us is done
    if (tails.get(key) === tail) tails.delete(key);
    throw new TaskIoError(`timed out after ${timeoutMs} ms waiting for the lock of '${label}' (held by another call in this process)`, { path: label });
  }
}

/**
 * Runs `fn` after every earlier holder of `key` has finished. Throws InvalidInputError when the
 * calling context already holds `key`, and TaskIoError when `timeoutMs` passes first (the queue
 * keeps its order either way). `label` names what the key stands for in error messages.
 */
export async function withKeyedMutex<T>(key: string, fn: () => Promise<T>, timeoutMs = Infinity, label = key): Promise<T> {
  if (holdsKey(key)) {
    throw new InvalidInputError(
      `re-entrant call: this call runs inside a batch (or another commit) that already holds the lock of '${label}', ` +
        'so it would wait for itself forever; use the transaction argument of batch for changes to the same session',
    );
  }
  const previous = tails.get(key);
  let release!: () => void;
  const current = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous === undefined ? current : previous.then(() => current);
  tails.set(key, tail);
  if (previous !== undefined) await waitTurn(key, label, previous, tail, release, timeoutMs);
  const hold: Hold = { key, held: true };
  try {
    return await holds.run([...(holds.getStore() ?? []), hold], fn);
  } finally {
    hold.held = false;
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
