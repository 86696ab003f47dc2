/**
 * CLI start-up: wall time of the package's `bin` (dist/cli/main.cjs) running `list --dir <tmp>` on a
 * small session, side by side with a bare `node -e 0`, with importing the library's `dist/index.js`
 * and with the ES-module entry dist/cli/main.js, runs interleaved so that the machine's load hits
 * all alike. Goal: the CLI ≤ 1.5× `node -e 0`.
 *
 * Uses the built `dist/`: rebuilt (`npm run build`) when it is missing or older than a file in
 * `src/`, so the figure is always of the current code.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { TaskManager } from '../src/index.js';
import { fmt, since, stats, type Stats } from './stats.js';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const STARTUP_GOAL = 1.5;

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const stat = await fs.stat(path.join(entry.parentPath, entry.name));
    newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

/** Builds `dist/` when it is missing or older than `src/`; returns what it did. */
export async function ensureDist(): Promise<string> {
  const cli = binPath();
  const built = await fs.stat(cli).then((s) => s.mtimeMs, () => null);
  const newestSrc = await newestMtime(path.join(ROOT, 'src'));
  if (built !== null && built >= newestSrc) return 'dist/ up to date';
  process.stderr.write(built === null ? 'building dist/ (npm run build)...\n' : 'dist/ is older than src/: rebuilding (npm run build)...\n');
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  return built === null ? 'built dist/' : 'rebuilt dist/';
}

/** The package's `bin` (package.json), as npm installs it. */
function binPath(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return path.join(ROOT, pkg.bin['gestura-tasks'] as string);
}

export interface StartupResult {
  runs: number;
  dist: string;
  commands: { label: string; argv: string[]; time: Stats }[];
  /** CLI median / `node -e 0` median. */
  cliRatio: number;
  /** Median over the rounds of CLI / `node -e 0` within the round (steadier when the load drifts). */
  cliPairedRatio: number;
  importRatio: number;
  goal: number;
}

function once(argv: string[], env: Record<string, string> = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, GESTURA_SESSION: 'default', ...env },
  });
  const ms = since(t0);
  if (r.status !== 0) throw new Error(`\`node ${argv.join(' ')}\` failed (${r.status ?? r.signal}): ${r.stderr.slice(0, 300)}`);
  return ms;
}

export async function runStartup(opts: { quick: boolean; tmp: string }): Promise<StartupResult> {
  const dist = await ensureDist();
  const base = path.join(opts.tmp, 'startup');
  const manager = new TaskManager(base);
  await manager.batch('default', (tx) => {
    for (let i = 0; i < 10; i++) tx.createTask(`Task ${i}`, 'a small session for the start-up benchmark');
  });
  const index = pathToFileURL(path.join(ROOT, 'dist', 'index.js')).href;
  const commands = [
    { label: '`node -e 0`', argv: ['-e', '0'] },
    { label: "`node -e \"import('dist/index.js')\"`", argv: ['--input-type=module', '-e', `await import(${JSON.stringify(index)})`] },
    { label: `\`node ${path.relative(ROOT, binPath())} list --dir <tmp>\` (the bin; 10 tasks)`, argv: [binPath(), 'list', '--dir', base] },
    // The ES-module entry (what the bin imports when there is no bundle), with the bundle.
    { label: 'the same through the ES-module entry `dist/cli/main.js`', argv: [path.join(ROOT, 'dist', 'cli', 'main.js'), 'list', '--dir', base] },
    // The same without the bundle and its code cache: the ES modules loaded one by one.
    {
      label: 'the same, modules instead of the bundle (`GESTURA_TASKS_NO_BUNDLE=1`)',
      argv: [binPath(), 'list', '--dir', base],
      env: { GESTURA_TASKS_NO_BUNDLE: '1' },
    },
    // Where the import time goes, for reference: the two big dependencies alone.
    { label: "of which: `import('zod')` alone", argv: ['--input-type=module', '-e', "await import('zod')"] },
    { label: "of which: `import('commander')` alone", argv: ['--input-type=module', '-e', "await import('commander')"] },
  ];
  const runs = opts.quick ? 5 : 21;
  const samples: number[][] = commands.map(() => []);
  // Warm the file cache and the CLI's code cache (written by its first run), check each command works.
  for (const c of commands) once(c.argv, c.env);
  for (let i = 0; i < runs; i++) {
    commands.forEach((c, k) => (samples[k] as number[]).push(once(c.argv, c.env)));
  }
  const timed = commands.map((c, k) => ({ ...c, time: stats(samples[k] as number[]) }));
  const bare = (timed[0] as (typeof timed)[number]).time.medianMs;
  return {
    runs,
    dist,
    commands: timed,
    importRatio: (timed[1] as (typeof timed)[number]).time.medianMs / bare,
    cliRatio: (timed[2] as (typeof timed)[number]).time.medianMs / bare,
    cliPairedRatio: stats((samples[2] as number[]).map((ms, i) => ms / ((samples[0] as number[])[i] as number))).medianMs,
    goal: STARTUP_GOAL,
  };
}

export function startupMarkdown(r: StartupResult): string {
  const bare = (r.commands[0] as StartupResult['commands'][number]).time.medianMs;
  const lines = ['| command | median | p90 | × `node -e 0` |', '| --- | ---: | ---: | ---: |'];
  for (const c of r.commands) lines.push(`| ${c.label} | ${fmt(c.time.medianMs)} | ${fmt(c.time.p90Ms)} | ${(c.time.medianMs / bare).toFixed(2)}× |`);
  const met = r.cliRatio <= r.goal ? 'met' : 'not met';
  return `${lines.join('\n')}\n\n${r.runs} runs each, interleaved (${r.dist}). Goal: CLI \`list\` ≤ ${r.goal}× \`node -e 0\` — this run ${r.cliRatio.toFixed(2)}× (median of the per-round ratios ${r.cliPairedRatio.toFixed(2)}×), ${met}.\n`;
}
