/**
 * The command line and the MCP server on PostgreSQL (`--database-url`), as real child processes
 * against the test server: `copy` both ways keeps every byte and refuses to overwrite without
 * --force; commands and the MCP server work on the database as they do on a directory.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskManager, type Task } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { cleanTempDirsAfterEach, installFixture, tempDir } from './helpers/env.js';
import { dropSchema, testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';
import { repoRoot, runTsx, type TsxRun } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();

const FIXTURES = ['rust-auto-plan', 'rust-background-jobs', 'rust-breakdown', 'rust-edge-cases', 'rust-empty', 'rust-execution-memory', 'rust-reconcile', 'rust-tree-deps'];

const schemas: string[] = [];
const stores: PostgresTaskStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

/** A database URL for the CLI naming a fresh schema (dropped after the test). */
function databaseUrl(): { url: string; schema: string } {
  const schema = uniqueSchema('cli');
  schemas.push(schema);
  return { url: `${testDatabaseUrl()}#${schema}`, schema };
}

function storeOf(schema: string): PostgresTaskStore {
  const store = new PostgresTaskStore({ connectionString: testDatabaseUrl() }, { schema });
  stores.push(store);
  return store;
}

const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<TsxRun> => runTsx('src/cli/main.ts', args, { env: { ...process.env, GESTURA_TASKS_DATABASE_URL: '', ...env } });

/** Every session file of `dir`, name → bytes (base64). */
function files(dir: string): Record<string, string> {
  const tasks = path.join(dir, '.gestura', 'tasks');
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(tasks).sort()) if (name.endsWith('.json')) out[name] = fs.readFileSync(path.join(tasks, name)).toString('base64');
  return out;
}

describe('gestura-tasks on PostgreSQL', () => {
  it('copy: files → PostgreSQL → files gives the same bytes; an existing session is refused without --force', { timeout: 120_000 }, async () => {
    const from = tempDir();
    for (const name of FIXTURES) installFixture(from, name);
    await new TaskManager(from).createTask('hostile', "Robert'); DROP TABLE tasks;-- \\ \u0000 \u2028", 'ünïcödé 🎉'.repeat(100));
    const { url, schema } = databaseUrl();

    const up = await cli(['copy', '--from', from, '--to', url]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`Copied ${FIXTURES.length + 1} sessions`);
    expect(up.stdout).not.toContain('gestura-test'); // the password never shows
    expect(await storeOf(schema).listSessions()).toEqual([...FIXTURES, 'hostile'].sort());

    const back = tempDir();
    const down = await cli(['copy', '--from', url, '--to', back]);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(files(back)).toEqual(files(from));

    // Into the database again: every session is in the way.
    const refused = await cli(['copy', '--from', from, '--to', url, '--session', 'rust-empty']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refusing to overwrite session 'rust-empty'");
    const changed = tempDir();
    installFixture(changed, 'rust-tree-deps');
    fs.renameSync(path.join(changed, '.gestura', 'tasks', 'rust-tree-deps.json'), path.join(changed, '.gestura', 'tasks', 'rust-empty.json'));
    fs.writeFileSync(
      path.join(changed, '.gestura', 'tasks', 'rust-empty.json'),
      fs.readFileSync(path.join(changed, '.gestura', 'tasks', 'rust-empty.json'), 'utf8').replaceAll('"session_id": "rust-tree-deps"', '"session_id": "rust-empty"'),
    );
    const stillRefused = await cli(['copy', '--from', changed, '--to', url]);
    expect(stillRefused.code).toBe(1);
    const again = tempDir();
    expect((await cli(['copy', '--from', url, '--to', again, '--session', 'rust-empty'])).code).toBe(0);
    expect(files(again)['rust-empty.json']).toBe(files(from)['rust-empty.json']);

    const forced = await cli(['copy', '--from', changed, '--to', url, '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    const last = tempDir();
    expect((await cli(['copy', '--from', url, '--to', last, '--session', 'rust-empty'])).code).toBe(0);
    expect(files(last)).toEqual(files(changed));
  });

  it('commands take --database-url (or GESTURA_TASKS_DATABASE_URL) instead of --dir', { timeout: 60_000 }, async () => {
    const { url, schema } = databaseUrl();
    const added = await cli(['--database-url', url, '--session', 'work', 'add', 'Stored in PostgreSQL', '--json']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const task = JSON.parse(added.stdout) as Task;
    expect(await new TaskManager('.', { store: storeOf(schema) }).getTask('work', task.id)).toMatchObject({ name: 'Stored in PostgreSQL' });

    const listed = await cli(['--session', 'work', 'list'], { GESTURA_TASKS_DATABASE_URL: url });
    expect(listed.stderr).toBe('');
    expect(listed.stdout).toContain(`${task.id}  ○ not_started  Stored in PostgreSQL`);
    const both = await cli(['--database-url', url, '--dir', '.', 'list']);
    expect(both.code).toBe(2);
  });

  it('commands on a database keep the history there, naming cli as the actor', { timeout: 60_000 }, async () => {
    const { url } = databaseUrl();
    const added = await cli(['--database-url', url, '--session', 'work', 'add', 'Audited', '--json']);
    expect(added.code).toBe(0);
    const task = JSON.parse(added.stdout) as Task;
    const done = await cli(['--database-url', url, '--session', 'work', 'status', task.id, 'completed']);
    expect(done.stderr).toBe('');
    const history = await cli(['--database-url', url, '--session', 'work', 'history', task.id, '--json']);
    expect(history.stderr).toBe('');
    expect(history.code).toBe(0);
    const entries = (JSON.parse(history.stdout) as { entries: { actor: string; change: { type: string; to?: string } }[] }).entries;
    expect(entries.map((e) => [e.change.type, e.actor])).toEqual([
      ['status_changed', 'cli'],
      ['created', 'cli'],
    ]);
    expect(entries[0]?.change.to).toBe('Completed');
  });

  it("watch on a database prints another process's commits without polling, and exits on SIGINT", { timeout: 60_000 }, async () => {
    const schema = uniqueSchema('watch');
    schemas.push(schema);
    const name = uniqueSchema('watcher');
    // application_name lets the test see on the server when the watcher listens.
    const url = `${testDatabaseUrl()}?application_name=${name}#${schema}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--database-url', url, '--json', 'watch', '--interval', '2000000000'], {
      cwd: repoRoot,
      env: { ...process.env, GESTURA_TASKS_DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let stdout = '';
    const firstLine = new Promise<string>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
      });
    });
    try {
      const admin = new pg.Client({ connectionString: testDatabaseUrl() });
      await admin.connect();
      try {
        const listening = async (): Promise<boolean> =>
          (await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'", [name])).rowCount === 1;
        while (!(await listening())) await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        await admin.end();
      }
      const task = await new TaskManager('.', { store: storeOf(schema) }).createTask('default', 'from another process', '');
      expect(JSON.parse(await firstLine)).toMatchObject({ type: 'created', task: { id: task.id, name: 'from another process' } });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });

  it('the MCP server runs on --database-url', { timeout: 60_000 }, async () => {
    const { url, schema } = databaseUrl();
    let stderr = '';
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp', '--database-url', url, '--session', 'agents'],
      cwd: repoRoot,
      env: { ...process.env, GESTURA_TASKS_DATABASE_URL: '' } as Record<string, string>,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: 'gestura-tasks-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const created = (await client.callTool({ name: 'create_task', arguments: { name: 'From an agent' } })) as CallToolResult;
      const task = created.structuredContent?.task as Task;
      expect(task).toMatchObject({ name: 'From an agent', session_id: 'agents' });
      const manager = new TaskManager('.', { store: storeOf(schema) });
      expect(await manager.getTask('agents', task.id)).toMatchObject({ name: 'From an agent' });
      await manager.updateTaskStatus('agents', task.id, 'completed');
      const shown = (await client.callTool({ name: 'show_task', arguments: { task_id: task.id } })) as CallToolResult;
      expect(shown.structuredContent?.task).toMatchObject({ id: task.id, status: 'Completed' });
    } finally {
      await client.close();
    }
    expect(stderr).toBe('');
  });
});
