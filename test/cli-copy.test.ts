/**
 * `gestura-tasks copy` between directories, and choosing the store (--dir, --database-url,
 * GESTURA_TASKS_DATABASE_URL). Copies between PostgreSQL and files are in cli-postgres.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { TaskManager } from '../src/index.js';
import { cleanTempDirsAfterEach, installFixture, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

const FIXTURES = ['rust-auto-plan', 'rust-background-jobs', 'rust-breakdown', 'rust-edge-cases', 'rust-empty', 'rust-execution-memory', 'rust-reconcile', 'rust-tree-deps'];

async function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(Readable.from([]), { isTTY: true });
  const code = await runCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, stdin, env, cwd });
  return { code, stdout, stderr };
}

const tasksDir = (dir: string): string => path.join(dir, '.gestura', 'tasks');

/** Every session file of `dir`, name → bytes. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(tasksDir(dir))) return out;
  for (const name of fs.readdirSync(tasksDir(dir)).sort()) {
    if (name.endsWith('.json')) out[name] = fs.readFileSync(path.join(tasksDir(dir), name)).toString('base64');
  }
  return out;
}

describe('gestura-tasks copy between directories', () => {
  it('copies every session byte for byte, Rust files included', async () => {
    const from = tempDir();
    for (const name of FIXTURES) installFixture(from, name);
    await new TaskManager(from).createTask('made-here', 'Name with "quotes" \\ and\u0000nul', 'x'.repeat(1000));
    const to = tempDir();
    const run = await cli(from, ['copy', '--from', '.', '--to', to]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Copied ${FIXTURES.length + 1} sessions from ${from} to ${to}`);
    expect(files(to)).toEqual(files(from));
  });

  it('refuses to overwrite existing sessions without --force, naming them and writing nothing', async () => {
    const from = tempDir();
    for (const name of FIXTURES) installFixture(from, name);
    const to = tempDir();
    const other = new TaskManager(to);
    await other.createTask('rust-empty', 'kept', '');
    await other.createTask('rust-reconcile', 'kept too', '');
    const before = files(to);

    const refused = await cli(from, ['copy', '--from', from, '--to', to]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refusing to overwrite sessions 'rust-empty', 'rust-reconcile'");
    expect(refused.stderr).toContain('nothing was copied');
    expect(files(to)).toEqual(before);

    const forced = await cli(from, ['--json', 'copy', '--from', from, '--to', to, '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ overwritten: ['rust-empty', 'rust-reconcile'], refused: [] });
    expect(files(to)).toEqual(files(from));
  });

  it('copies only the session named with --session, which must exist', async () => {
    const from = tempDir();
    for (const name of FIXTURES) installFixture(from, name);
    const to = tempDir();
    const one = await cli(from, ['copy', '--from', from, '--to', to, '--session', 'rust-tree-deps']);
    expect(one.code).toBe(0);
    expect(Object.keys(files(to))).toEqual(['rust-tree-deps.json']);
    const missing = await cli(from, ['copy', '--from', from, '--to', to, '--session', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no session 'nope'");
  });
});

describe('gestura-tasks copy stopping on a session it cannot read', () => {
  it('says where it stopped and what was copied before; nothing half-written', async () => {
    const from = tempDir();
    const manager = new TaskManager(from);
    await manager.createTask('a-good', 'first', '');
    await manager.createTask('c-good', 'third', '');
    fs.writeFileSync(path.join(tasksDir(from), 'b-bad.json'), '{"session_id": "b-bad", "tasks": [');
    const to = tempDir();
    const run = await cli(from, ['copy', '--from', from, '--to', to]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("copy stopped at session 'b-bad'");
    expect(run.stderr).toContain("copied before it: 'a-good'");
    expect(Object.keys(files(to))).toEqual(['a-good.json']);
    expect(files(to)['a-good.json']).toBe(files(from)['a-good.json']);
  });
});

describe('choosing the store', () => {
  it('refuses --dir together with --database-url, and a database URL that is not one', async () => {
    const dir = tempDir();
    const both = await cli(dir, ['--dir', dir, '--database-url', 'postgres://h/db', 'list']);
    expect(both).toMatchObject({ code: 2, stdout: '' });
    expect(both.stderr).toContain("either '--dir' or '--database-url'");
    const notUrl = await cli(dir, ['--database-url', dir, 'list']);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain('postgres://');
    const badEnv = await cli(dir, ['list'], { GESTURA_TASKS_DATABASE_URL: 'mysql://h/db' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('GESTURA_TASKS_DATABASE_URL');
  });

  it('an explicit --dir wins over GESTURA_TASKS_DATABASE_URL', async () => {
    const dir = tempDir();
    await new TaskManager(dir).createTask('default', 'on disk', '');
    const run = await cli(dir, ['--dir', dir, 'list'], { GESTURA_TASKS_DATABASE_URL: 'postgres://127.0.0.1:1/none' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('on disk');
  });
});
