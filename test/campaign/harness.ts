/**
 * Shared machinery of the campaign: temporary directories, child-process workers, tree snapshots
 * and a deterministic random source. Not a test file (vitest only collects `*.test.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: workers run with it as cwd so `--import tsx` resolves. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The worker scripts. */
export const WORKERS = path.join(ROOT, 'test', 'workers');

/** True when the long, randomised runs were asked for. */
export const LONG = process.env.GESTURA_LONG_TESTS === '1';

const made: string[] = [];

/** A fresh temporary directory, removed by {@link removeTempDirs}. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gt-campaign-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every directory {@link tempDir} made (restoring permissions first). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

/** Small, fast, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A running worker: its process, its stdout lines so far, and its exit. */
export interface Worker {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (null when killed) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line for which `pred` is true. */
  waitForLine(pred: (line: string) => boolean): Promise<string>;
}

/** The field-by-field sum of counters (every record has the same numeric fields, e.g. one per lane), in the first record's key order. */
export function sumCounts<T extends { [K in keyof T]: number }>(parts: readonly T[]): T {
  const total: Record<string, number> = { ...parts[0] };
  for (const part of parts.slice(1)) {
    for (const key of Object.keys(total)) total[key] = (total[key] as number) + (part as Record<string, number>)[key]!;
  }
  return total as T;
}

/** How to start a worker: the command and its leading arguments. */
export interface Launcher {
  readonly command: string;
  readonly args: readonly string[];
}

/** `node --import tsx test/workers/<name>.ts`. */
export function tsxLauncher(name: string): Launcher {
  return { command: process.execPath, args: ['--import', 'tsx', path.join(WORKERS, `${name}.ts`)] };
}

/**
 * The worker bundled into one ESM file with esbuild (the transformer tsx itself uses). Start-up of a
 * bundle costs ~0.2 s of CPU against ~0.8 s through `--import tsx`; the kill campaign starts a
 * process per kill, hundreds of times, so it uses this. The code bundled is the same src/.
 */
export async function bundledLauncher(name: string, outDir: string): Promise<Launcher> {
  const esbuild = await import('esbuild');
  const outfile = path.join(outDir, `${name}.bundle.mjs`);
  await esbuild.build({
    entryPoints: [path.join(WORKERS, `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    banner: {
      js: [
        "import { createRequire as __campaignRequire } from 'node:module';",
        "import { fileURLToPath as __campaignPath } from 'node:url';",
        'const require = __campaignRequire(import.meta.url);',
        'const __filename = __campaignPath(import.meta.url);',
      ].join('\n'),
    },
  });
  return { command: process.execPath, args: [outfile] };
}

/** Starts a worker with a JSON config as its only argument. */
export function startWorker(launcher: Launcher, config: unknown, options: { uid?: number; gid?: number } = {}): Worker {
  const child = spawn(launcher.command, [...launcher.args, JSON.stringify(config)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GESTURA_LONG_TESTS: LONG ? '1' : '' },
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLine(pred) {
      const found = lines.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<string>((resolve, reject) => {
        waiters.push({ pred, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`worker exited (${code ?? signal}) before the expected line; stderr: ${stderr.join('').slice(-2000)}`)),
        );
      });
    },
  };
}

/** Runs a worker to completion; fails with its stderr when it does not exit 0. */
export async function runWorker(launcher: Launcher, config: unknown): Promise<string[]> {
  const worker = startWorker(launcher, config);
  const { code, signal } = await worker.exited;
  if (code !== 0) throw new Error(`worker failed (${code ?? signal}): ${worker.stderr.join('').slice(-4000)}`);
  return worker.lines;
}

/** One entry of a tree snapshot. */
export interface Entry {
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly mode: number;
  readonly size: number;
  readonly hash: string;
}

/** Every path under `root` (relative) with its type, mode, size and content hash. */
export function snapshotTree(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      const st = fs.lstatSync(full);
      if (st.isDirectory()) {
        out.set(rel, { type: 'dir', mode: st.mode, size: 0, hash: '' });
        walk(full);
      } else if (st.isSymbolicLink()) {
        out.set(rel, { type: 'link', mode: st.mode, size: 0, hash: fs.readlinkSync(full) });
      } else if (st.isFile()) {
        const hash = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
        out.set(rel, { type: 'file', mode: st.mode, size: st.size, hash });
      } else {
        out.set(rel, { type: 'other', mode: st.mode, size: st.size, hash: '' });
      }
    }
  };
  walk(root);
  return out;
}

/** The paths that differ between two snapshots (added, removed or changed). */
export function diffSnapshots(before: Map<string, Entry>, after: Map<string, Entry>): string[] {
  const changed: string[] = [];
  for (const [p, e] of after) {
    const b = before.get(p);
    if (!b) changed.push(`+ ${p}`);
    else if (b.type !== e.type || b.hash !== e.hash || b.size !== e.size || b.mode !== e.mode) changed.push(`~ ${p}`);
  }
  for (const p of before.keys()) if (!after.has(p)) changed.push(`- ${p}`);
  return changed.sort();
}

/** Files in the tasks directory that are neither session files nor expected. */
export function leftovers(tasksDir: string): string[] {
  if (!fs.existsSync(tasksDir)) return [];
  return fs.readdirSync(tasksDir).filter((n) => !/^[A-Za-z0-9_-][A-Za-z0-9._-]*\.json$/.test(n));
}
