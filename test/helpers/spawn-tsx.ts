/** Runs a TypeScript file of this repository in a real Node child process (through tsx). */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tsx resolves from here). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TsxRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx <file> ...args` from the repository root, with optional stdin text. */
export function runTsx(file: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TsxRun> {
  return runNode(['--import', 'tsx', path.resolve(repoRoot, file), ...args], options);
}

/** `node <argv>` (plain Node, as npm's bin link runs a file) from the repository root, to completion. */
export function runNode(argv: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TsxRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: repoRoot,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
