/**
 * The built CLI is one bundle (scripts/build-cli.ts) run through the code cache by the package's
 * CommonJS `bin` (main.cjs): it must answer exactly as the modules do — output, errors and exit
 * codes, the version read from package.json — on the first run (no cache) and on later ones (cache
 * used). Without a bundle, the bin hands over to the ES-module entry beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliBundle, buildCliLauncher } from '../scripts/build-cli.js';
import { dropSchema, testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';
import { repoRoot, runNode, runTsx, type TsxRun } from './helpers/spawn-tsx.js';

// As deep below the repository as dist/cli, so that paths relative to the bundle resolve alike.
const outDir = path.join(repoRoot, '.test-bundle', `cli-${process.pid}`);
const bundle = path.join(outDir, 'bundle.cjs');
const launcher = path.join(outDir, 'main.cjs');
let dir: string;

beforeAll(async () => {
  await buildCliBundle(bundle, path.join(repoRoot, 'src', 'cli'));
  await buildCliLauncher(launcher, path.join(repoRoot, 'src', 'cli'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-cli-bundle-'));
}, 120_000);

afterAll(() => {
  fs.rmSync(outDir, { recursive: true, force: true });
  if (fs.readdirSync(path.dirname(outDir)).length === 0) fs.rmSync(path.dirname(outDir), { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

const viaModules = (args: string[]): Promise<TsxRun> => runTsx('src/cli/main.ts', ['--dir', dir, ...args]);
/** `node <file> ...args` with plain Node (no tsx), as npm's bin link runs it. */
const runBin = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<TsxRun> => runNode([file, ...args], { env });

const viaBundle = (args: string[]): Promise<TsxRun> => runBin(launcher, ['--dir', dir, ...args]);

describe('CLI bundle', () => {
  it('answers as the modules do, with and without its code cache', { timeout: 120_000 }, async () => {
    const created = await viaBundle(['add', 'Write code', '-m', 'first', '--json']);
    expect(created.stderr).toBe('');
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    const cases = [
      ['--version'],
      ['list'],
      ['--json', 'list'],
      ['show', id],
      ['show', 'missing'],
      ['status', id, 'bogus'],
      ['--session', 'bad/id', 'list'],
      ['nonsense'],
      ['tree'],
    ];
    for (const args of cases) {
      const expected = await viaModules(args);
      for (let run = 0; run < 2; run++) {
        const got = await viaBundle(args);
        expect({ args, code: got.code, stdout: got.stdout, stderr: got.stderr }).toEqual({ args, code: expected.code, stdout: expected.stdout, stderr: expected.stderr });
      }
    }
    expect(fs.existsSync(`${bundle}.${process.version}-${process.arch}.cache`)).toBe(true);
  });

  it('runs a command on PostgreSQL, requiring pg from outside the bundle only then', { timeout: 120_000 }, async () => {
    const schema = uniqueSchema('bundle');
    const url = `${testDatabaseUrl()}#${schema}`;
    try {
      const env = { ...process.env, GESTURA_TASKS_DATABASE_URL: url };
      const added = await runBin(launcher, ['add', 'In the database', '--json'], env);
      expect(added.stderr).toBe('');
      const id = (JSON.parse(added.stdout) as { id: string }).id;
      const expected = await runTsx('src/cli/main.ts', ['show', id], { env });
      const got = await runBin(launcher, ['show', id], env);
      expect({ code: got.code, stdout: got.stdout, stderr: got.stderr }).toEqual({ code: expected.code, stdout: expected.stdout, stderr: expected.stderr });
      expect(got.stdout).toContain('In the database');
    } finally {
      await dropSchema(schema);
    }
    const text = fs.readFileSync(bundle, 'utf8');
    expect(text).toMatch(/require\("pg"\)/);
    expect(text).not.toContain('class Client extends EventEmitter');
  });

  it('without pg installed, directory commands run and a database URL says what to install', { timeout: 60_000 }, async () => {
    const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(path.join(repoRoot, 'test', 'workers', 'without-pg.mjs')).href}` };
    const listed = await runBin(launcher, ['--dir', dir, 'list'], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const refused = await runBin(launcher, ['--database-url', 'postgres://h/db', 'list'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('install the optional package pg');
  });

  it('the bin without a bundle beside it hands over to the ES-module entry main.js', { timeout: 60_000 }, async () => {
    const alone = path.join(outDir, 'alone');
    fs.mkdirSync(alone, { recursive: true });
    fs.copyFileSync(launcher, path.join(alone, 'main.cjs'));
    fs.writeFileSync(path.join(alone, 'main.js'), "process.stdout.write('ES-module entry ' + JSON.stringify(process.argv.slice(2)));\n");
    const run = await runBin(path.join(alone, 'main.cjs'), ['list', '--json']);
    expect(run).toEqual({ code: 0, stdout: 'ES-module entry ["list","--json"]', stderr: '' });
  });
});
