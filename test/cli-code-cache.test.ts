/**
 * The built CLI runs through V8's code cache (src/cli/code-cache.ts). The cache may only ever make
 * start-up faster: a missing, damaged, foreign or stale cache gives the same result as none, and a
 * fresh one is written for the next run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codeCachePath } from '../src/cli/code-cache.js';
import { runTsx } from './helpers/spawn-tsx.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A module whose result depends on its source, its require and its file name. */
function moduleSource(answer: number): string {
  return [
    "const path = require('node:path');",
    'function square(n) { return n * n; }',
    `module.exports = { answer: ${answer}, squared: square(${answer}), name: path.basename(__filename), dir: path.basename(__dirname) };`,
    '',
  ].join('\n');
}

async function probe(file: string): Promise<unknown> {
  const run = await runTsx('test/workers/code-cache-probe.ts', [file]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout.trim());
}

function tempModule(answer: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-code-cache-'));
  dirs.push(dir);
  const file = path.join(dir, 'mod.cjs');
  fs.writeFileSync(file, moduleSource(answer));
  return file;
}

describe('code cache', () => {
  it('compiles on the first run, writes a cache, and uses it on the next with the same result', { timeout: 60_000 }, async () => {
    const file = tempModule(12);
    const expected = { answer: 12, squared: 144, name: 'mod.cjs', dir: path.basename(path.dirname(file)) };
    expect(await probe(file)).toEqual({ cache: 'missing', exports: expected });
    expect(fs.existsSync(codeCachePath(file))).toBe(true);
    expect(await probe(file)).toEqual({ cache: 'used', exports: expected });
  });

  it('a damaged cache is not used: the file is compiled as usual and the cache rewritten', { timeout: 60_000 }, async () => {
    const file = tempModule(3);
    await probe(file);
    const cache = fs.readFileSync(codeCachePath(file));
    // Keep the copy of the source (so V8 itself sees the damage), scramble V8's data.
    const dataStart = 4 + fs.statSync(file).size;
    for (let i = dataStart; i < cache.length; i += 7) cache[i] = cache[i]! ^ 0xa5;
    fs.writeFileSync(codeCachePath(file), cache);
    expect(await probe(file)).toEqual({ cache: 'rejected', exports: expect.objectContaining({ answer: 3, squared: 9 }) });
    expect(await probe(file)).toEqual({ cache: 'used', exports: expect.objectContaining({ answer: 3, squared: 9 }) });
  });

  it('a cache of an older build of the same length is not used (V8 compares only the length)', { timeout: 60_000 }, async () => {
    const file = tempModule(5);
    await probe(file);
    // Same length, other code: the stale cache must not run the old code.
    fs.writeFileSync(file, moduleSource(7));
    expect(await probe(file)).toEqual({ cache: 'rejected', exports: expect.objectContaining({ answer: 7, squared: 49 }) });
    expect(await probe(file)).toEqual({ cache: 'used', exports: expect.objectContaining({ answer: 7, squared: 49 }) });
  });

  it('a truncated or empty cache file is not used', { timeout: 60_000 }, async () => {
    const file = tempModule(4);
    fs.writeFileSync(codeCachePath(file), Buffer.alloc(0));
    expect(await probe(file)).toEqual({ cache: 'rejected', exports: expect.objectContaining({ squared: 16 }) });
  });

  it('no file: undefined, so the caller loads the modules instead', { timeout: 60_000 }, async () => {
    expect(await probe(path.join(os.tmpdir(), 'gt-code-cache-missing', 'nothing.cjs'))).toBeNull();
  });
});
