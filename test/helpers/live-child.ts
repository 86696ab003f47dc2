/**
 * A long-running TypeScript child process (through tsx) that the test talks to while it runs: its
 * stdout lines arrive as they are written, the test can wait for a line, write to its stdin, and
 * kill it. For workers the test interrupts (kills, server restarts); {@link runTsx} is for workers
 * that run to completion.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './spawn-tsx.js';

export interface LiveChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first line (already seen or coming) that `match` accepts; rejects if the child exits first. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  /** Resolves once `check()` holds, checked now and after every new line; rejects if the child exits first. */
  waitUntil(check: () => boolean): Promise<void>;
  /** Resolves with the exit code (null) and signal once the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node --import tsx <file> ...args` from the repository root. */
export function startTsx(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): LiveChild {
  return startNode(['--import', 'tsx', path.resolve(repoRoot, file), ...args], env);
}

/** Starts `node <argv>` (e.g. a bundled worker, test/helpers/bundle-worker.ts) from the repository root. */
export function startNode(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LiveChild {
  const child = spawn(process.execPath, argv, { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let done = false;
  const waiters = new Set<{ check: () => boolean; resolve: () => void; reject: (error: Error) => void }>();
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.check()) {
        waiters.delete(w);
        w.resolve();
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      done = true;
      for (const w of waiters) w.reject(new Error(`child exited (${code ?? signal}) before the awaited line; stderr: ${stderr}`));
      waiters.clear();
      resolve({ code, signal });
    });
  });
  child.stdin.on('error', () => {}); // writing to a child that was just killed is not the test's failure
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitUntil(check) {
      if (check()) return Promise.resolve();
      if (done) return Promise.reject(new Error(`child exited before the awaited line; stderr: ${stderr}`));
      return new Promise((resolve, reject) => waiters.add({ check, resolve, reject }));
    },
    async waitForLine(match) {
      await this.waitUntil(() => lines.some(match));
      return lines.find(match) as string;
    },
  };
}
