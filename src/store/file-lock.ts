/**
 * Cross-process exclusive locks on a session file, with proper-lockfile (a `<file>.lock`
 * directory whose mtime the holder refreshes). A lock whose holder died is taken over once it is
 * `staleMs` old; a live holder refreshes it every `staleMs / 2`, so it is never taken from it.
 */
import lockfile from 'proper-lockfile';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskIoError } from '../errors.js';
import { errorCode } from './error-code.js';

/** Lock timing. */
export interface FileLockOptions {
  /** Age after which an unrefreshed lock counts as abandoned and is taken over (ms, ≥ 2000). */
  readonly staleMs: number;
  /** How long to wait for the lock before failing with an I/O error (ms). */
  readonly timeoutMs: number;
}

/** Defaults: abandoned locks are taken over after 10 s; give up waiting after 30 s. */
export const DEFAULT_LOCK_OPTIONS: FileLockOptions = { staleMs: 10_000, timeoutMs: 30_000 };

/** A held lock. */
export interface HeldLock {
  /** Set when the lock was lost (its directory vanished or was taken over) while held. */
  readonly compromised: Error | null;
  /** Releases the lock (errors after a compromise are ignored). */
  release(): Promise<void>;
}


/**
 * Acquires the lock of `file` (which need not exist), retrying with jittered backoff from 1 ms up to
 * 50 ms until `timeoutMs` has passed.
 */
export async function acquireFileLock(file: string, options: FileLockOptions): Promise<HeldLock> {
  const deadline = Date.now() + options.timeoutMs;
  let compromised: Error | null = null;
  let delay = 1;
  for (;;) {
    try {
      const release = await lockfile.lock(file, {
        realpath: false,
        stale: Math.max(2000, options.staleMs),
        retries: 0,
        onCompromised: (error) => {
          compromised = error;
        },
      });
      return {
        get compromised() {
          return compromised;
        },
        release: async () => {
          try {
            await release();
          } catch (error) {
            if (compromised === null) {
              throw new TaskIoError(`cannot release the lock of '${file}': ${(error as Error).message}`, { cause: error, path: file });
            }
          }
        },
      };
    } catch (error) {
      if (errorCode(error) !== 'ELOCKED') {
        throw new TaskIoError(`cannot lock '${file}': ${(error as Error).message}`, { cause: error, path: file });
      }
      if (Date.now() >= deadline) {
        throw new TaskIoError(`timed out after ${options.timeoutMs} ms waiting for the lock of '${file}'`, { cause: error, path: file });
      }
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(50, delay * 2);
    }
  }
}
