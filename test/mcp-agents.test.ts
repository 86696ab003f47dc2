/**
 * The MCP server for agents, end to end through the SDK client and real `gestura-tasks mcp`
 * processes: tool levels, the original's `task` tool with sloppy arguments, the resume prompt,
 * the session files as resources, and exact 64-bit numbers in results and CLI `--json` output.
 */
import fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { estimateTokens, InvalidInputError, MemoryTaskStore, TaskManager, type Task } from '../src/index.js';
import { createMcpServer } from '../src/mcp/server.js';
import { RESOURCE_PART_BYTES } from '../src/mcp/session-resource.js';
import { TOOL_LEVELS, toolsAt } from '../src/mcp/tool-levels.js';
import { tempDir } from './helpers/env.js';
import { repoRoot, runTsx } from './helpers/spawn-tsx.js';

const BIG = '9007199254740993'; // 2^53 + 1: JSON.stringify(Number(BIG)) is 9007199254740992
const MAX_U64 = '18446744073709551615'; // 2^64 - 1: JSON.stringify gives 18446744073709552000

interface Server {
  client: Client;
  stderr: () => string;
}
const servers: Client[] = [];
let dir: string;
let bigTask: Task;
let main: Server;

async function startServer(args: string[]): Promise<Server> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp', '--dir', dir, ...args],
    cwd: repoRoot,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'gestura-tasks-agents-test', version: '0.0.0' });
  client.onerror = (error) => {
    throw error;
  };
  await client.connect(transport);
  servers.push(client);
  return { client, stderr: () => stderr };
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const textOf = (result: CallToolResult, i = 0): string => (result.content[i] as { text: string }).text;

/** The session file with `metadata` of the first task replaced by big and ordinary numbers, written as text. */
async function writeBigNumberSession(session: string): Promise<Task> {
  const manager = new TaskManager(dir);
  const task = await manager.createTask(session, 'Big numbers', 'ids from a 64-bit system');
  await manager.createTask(session, 'Plain', '');
  const file = manager.sessionPath(session);
  const text = fs.readFileSync(file, 'utf8');
  const metadata = `{\n        "big": ${BIG},\n        "max_u64": ${MAX_U64},\n        "small": 42,\n        "one": 1.0\n      }`;
  const edited = text.replace('"metadata": null', `"metadata": ${metadata}`);
  expect(edited).not.toBe(text);
  fs.writeFileSync(file, edited);
  return task;
}

beforeAll(async () => {
  dir = tempDir('gt-mcp-agents-');
  bigTask = await writeBigNumberSession('numbers');
  main = await startServer(['--session', 'work']);
}, 60_000);

afterAll(async () => {
  for (const client of servers) await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('--tools levels', () => {
  it('lists 16 tools by default (standard), including the task tool, the claim tools and the history', async () => {
    const { tools } = await main.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(toolsAt('standard').sort());
    expect(tools).toHaveLength(16);
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['claim_task', 'renew_claim', 'release_claim', 'task_history']));
    expect(tools.map((t) => t.name)).toContain('task');
    expect(tools.map((t) => t.name)).not.toContain('task_create');
  });

  it('lists 7 tools at core and 23 at all, each level within the next', async () => {
    const core = await startServer(['--tools', 'core']);
    const coreNames = (await core.client.listTools()).tools.map((t) => t.name);
    expect(coreNames.sort()).toEqual(toolsAt('core').sort());
    expect(coreNames.length).toBeLessThanOrEqual(7);
    expect(coreNames).toContain('task');
    expect(core.client.getInstructions()).toContain('operation update_status');
    // A tool of a higher level is not callable either.
    expect((await call(core.client, 'create_task', { name: 'x' })).isError).toBe(true);

    const all = await startServer(['--tools', 'ALL']);
    const allNames = (await all.client.listTools()).tools.map((t) => t.name);
    expect(allNames.sort()).toEqual(Object.keys(TOOL_LEVELS).sort());
    expect(allNames).toHaveLength(23);
    expect([coreNames.length, toolsAt('standard').length, allNames.length]).toEqual([7, 16, 23]);
    for (const name of toolsAt('standard')) expect(allNames).toContain(name);
    // The fixed-operation aliases force their operation.
    expect(textOf(await call(all.client, 'task_list', { operation: 'delete', session: 'numbers' }))).toMatch(/^Found 2 task\(s\):\n\n• Big numbers/);
    expect(core.stderr() + all.stderr()).toBe('');
  }, 60_000);

  it('createMcpServer refuses an unknown level', () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore() });
    expect(() => createMcpServer(manager, { session: 's', tools: 'most' as never })).toThrow(InvalidInputError);
    expect(() => createMcpServer(manager, { session: 's', tools: 'core' })).not.toThrow();
  });

  it('refuses an unknown level with a usage error (exit 2)', async () => {
    const run = await runTsx('src/cli/main.ts', ['mcp', '--dir', dir, '--tools', 'most']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error: option '--tools': unknown tool level "most": use core, standard, all\n`);
    expect(run.stdout).toBe('');
  }, 60_000);
});

describe('the task tool over MCP', () => {
  it('reads what a sloppy model sends and answers with the original texts', async () => {
    const c = main.client;
    const created = await call(c, 'task', { operation: 'Create task', name: 'TBD', title: 'Write docs', details: '  the README  ', session: 'sloppy' });
    expect(created.isError).toBeFalsy();
    const id = /\(ID: ([^)]+)\)/.exec(textOf(created))![1]!;
    expect(textOf(created)).toBe(`Created task 'Write docs' (ID: ${id})\nDescription: the README\nStatus: NotStarted`);

    const started = await call(c, 'task', {
      operation: 'update_status',
      taskId: `the task ${id} please`,
      status: '<parameter name="status">in progress</parameter>',
      session: 'sloppy',
    });
    expect([textOf(started), started.isError ?? false]).toEqual([`Updated task ${id} status to InProgress`, false]);

    // A repeated malformed create is stopped by the loop breaker.
    const first = await call(c, 'task', { operation: 'create', name: 'null', session: 'sloppy' });
    expect(first.isError).toBe(true);
    expect(textOf(first)).toMatch(/^Missing required field 'name' for create operation\./);
    const again = await call(c, 'task', { operation: 'create', name: 'none', session: 'sloppy' });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/^Loop breaker: skipped a repeated malformed `task.create` /);

    // No operation: list.
    const listed = await call(c, 'task', { session: 'sloppy' });
    expect(textOf(listed)).toBe(`Found 1 task(s):\n\n• Write docs (ID: ${id})\n  Status: InProgress\n  Description: the README\n\n`);
    expect((await new TaskManager(dir).getTask('sloppy', id))?.status).toBe('InProgress');
  });

  it('uses the server session when a call names none', async () => {
    const created = await call(main.client, 'task', { operation: 'create', name: 'In the default session' });
    expect(textOf(created)).toMatch(/^Created task 'In the default session'/);
    expect((await new TaskManager(dir).listTasks('work')).map((t) => t.name)).toContain('In the default session');
  });
});

describe('the resume_session prompt', () => {
  it('lists its arguments and renders the session within max_tokens', async () => {
    const { prompts } = await main.client.listPrompts();
    expect(prompts.find((p) => p.name === 'resume_session')?.arguments?.map((a) => a.name).sort()).toEqual(['max_tokens', 'session']);
    const prompt = await main.client.getPrompt({ name: 'resume_session', arguments: { session: 'sloppy', max_tokens: '300' } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toMatch(/^You are resuming work on this task list\./);
    expect(text).toContain("'Write docs' [in_progress]");
    expect(estimateTokens(text)).toBeLessThanOrEqual(300);
    const tiny = await main.client.getPrompt({ name: 'resume_session', arguments: { session: 'sloppy', max_tokens: '20' } });
    expect(estimateTokens((tiny.messages[0]!.content as { text: string }).text)).toBeLessThanOrEqual(20);
  });

  it('defaults to the server session and refuses a max_tokens that is not a number', async () => {
    const prompt = await main.client.getPrompt({ name: 'resume_session' });
    expect((prompt.messages[0]!.content as { text: string }).text).toContain('In the default session');
    await expect(main.client.getPrompt({ name: 'resume_session', arguments: { max_tokens: 'lots' } })).rejects.toThrow(/max_tokens must be a whole number/);
    await expect(main.client.getPrompt({ name: 'resume_session', arguments: { session: '../x' } })).rejects.toThrow(/session/i);
  });
});

describe('session files as resources', () => {
  it('lists the sessions and reads a file byte for byte', async () => {
    const { resources } = await main.client.listResources();
    expect(resources.map((r) => r.uri)).toContain('gestura-tasks://sessions/numbers');
    const read = await main.client.readResource({ uri: 'gestura-tasks://sessions/numbers' });
    const content = read.contents[0] as { text: string; mimeType: string };
    expect(content.mimeType).toBe('application/json');
    const file = fs.readFileSync(new TaskManager(dir).sessionPath('numbers'));
    expect(Buffer.from(content.text, 'utf8').equals(file)).toBe(true);
    expect(content.text).toContain(`"big": ${BIG}`);
    await expect(main.client.readResource({ uri: 'gestura-tasks://sessions/missing' })).rejects.toThrow(/no stored session 'missing'/);
  });

  it('gives a large file in bounded parts whose bytes joined are the file', async () => {
    const manager = new TaskManager(dir);
    // Multi-byte characters everywhere, so part boundaries must fall between characters.
    await manager.batch('large', (tx) => {
      for (let i = 0; i < 300; i++) tx.createTask(`tâche ${i} ✓`, 'ü€𝄞'.repeat(60));
    });
    const file = fs.readFileSync(manager.sessionPath('large'));
    expect(file.length).toBeGreaterThan(2 * RESOURCE_PART_BYTES);
    const whole = (await main.client.readResource({ uri: 'gestura-tasks://sessions/large' })).contents[0] as { text: string };
    const parts = Number(/in (\d+) parts/.exec(whole.text)![1]);
    expect(parts).toBe(Math.ceil(file.length / RESOURCE_PART_BYTES));
    const chunks: Buffer[] = [];
    for (let n = 1; n <= parts; n++) {
      const part = (await main.client.readResource({ uri: `gestura-tasks://sessions/large/parts/${n}` })).contents[0] as { text: string };
      const bytes = Buffer.from(part.text, 'utf8');
      expect(bytes.length).toBeLessThanOrEqual(RESOURCE_PART_BYTES);
      chunks.push(bytes);
    }
    expect(Buffer.concat(chunks).equals(file)).toBe(true);
    await expect(main.client.readResource({ uri: `gestura-tasks://sessions/large/parts/${parts + 1}` })).rejects.toThrow(/no part/);
  });
});

describe('exact 64-bit numbers', () => {
  it('structuredContent gives numbers JSON.stringify would round as exact text, and the text content as exact JSON', async () => {
    const shown = await call(main.client, 'show_task', { task_id: bigTask.id, session: 'numbers' });
    const data = shown.structuredContent as { task: Task; numbers_as_text: string[] };
    expect(data.task.metadata).toEqual({ big: BIG, max_u64: MAX_U64, small: 42, one: 1 });
    expect(data.numbers_as_text).toEqual(['/task/metadata/big', '/task/metadata/max_u64']);
    const exact = textOf(shown, 1);
    expect(exact).toContain(`"big": ${BIG},`);
    expect(exact).toContain(`"max_u64": ${MAX_U64},`);
    expect(exact).toContain('"one": 1.0');

    const listed = await call(main.client, 'list_tasks', { session: 'numbers' });
    expect((listed.structuredContent as { numbers_as_text: string[] }).numbers_as_text).toEqual(['/tasks/0/metadata/big', '/tasks/0/metadata/max_u64']);
    // A result without such numbers is unchanged.
    const plain = await call(main.client, 'list_tasks', { session: 'sloppy' });
    expect(plain.structuredContent).not.toHaveProperty('numbers_as_text');
    expect(plain.content).toHaveLength(1);
  });

  it('CLI --json prints them exactly as stored', async () => {
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, stdin: process.stdin, env: {}, cwd: dir };
    expect(await runCli(['--json', '--session', 'numbers', 'show', bigTask.id], io)).toBe(0);
    expect(out).toContain(`"big": ${BIG},\n`);
    expect(out).toContain(`"max_u64": ${MAX_U64},\n`);
    expect(JSON.parse(out)).toMatchObject({ id: bigTask.id, name: 'Big numbers' });
    out = '';
    expect(await runCli(['--json', '--session', 'numbers', 'list'], io)).toBe(0);
    expect(out).toContain(`"max_u64": ${MAX_U64},\n`);
    out = '';
    expect(await runCli(['--json', '--session', 'numbers', 'tree'], io)).toBe(0);
    expect(out).toContain(`"metadata":{"big":${BIG},"max_u64":${MAX_U64},"small":42,"one":1.0}`);
  });
});
