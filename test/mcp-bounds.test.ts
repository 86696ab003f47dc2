/**
 * The MCP server under hostile sizes, end to end through the SDK client and a real server process:
 * every request is answered, and no result grows with the session.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskManager, type Task } from '../src/index.js';
import { writeChain, writeFlat } from './helpers/big-sessions.js';
import { tempDir } from './helpers/env.js';
import { repoRoot } from './helpers/spawn-tsx.js';

/** What the official client accepts comfortably; the server's own budget is lower. */
const MAX_RESULT_CHARS = 100_000;
const FLAT = 10_000;

let dir: string;
let client: Client;
let stderr = '';
let chain: Task[];

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

function size(result: CallToolResult): number {
  return JSON.stringify(result).length;
}

beforeAll(async () => {
  dir = tempDir('gt-mcp-bounds-');
  chain = await writeChain(dir, 'chain', 3_000);
  await writeFlat(dir, 'flat', FLAT);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp', '--dir', dir, '--session', 'flat'],
    cwd: repoRoot,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'gestura-tasks-bounds-test', version: '0.0.0' });
  await client.connect(transport);
}, 120_000);

afterAll(async () => {
  await client?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('MCP results stay bounded and every request is answered', () => {
  it('task_tree answers on a 3,000-deep chain, cut by depth with a count and a way in', async () => {
    const result = await call('task_tree', { session: 'chain' });
    expect(result.isError).toBeFalsy();
    expect(size(result)).toBeLessThan(MAX_RESULT_CHARS);
    expect(text(result)).toContain('… 2,990 more levels, 2,990 tasks');
    expect(result.structuredContent).toMatchObject({ total: 3_000, shown: 10, truncated: true });
    // Drilling in with root_id shows the next part.
    const inner = await call('task_tree', { session: 'chain', root_id: chain[10]!.id, depth: 5 });
    expect(text(inner).split('\n')[0]).toContain('level 10');
    expect(text(inner)).toContain('… 2,985 more levels');
  });

  it(`list_tasks on ${FLAT.toLocaleString('en-US')} tasks comes in bounded pages that cover every task once`, async () => {
    const first = await call('list_tasks');
    expect(size(first)).toBeLessThan(MAX_RESULT_CHARS);
    const data = first.structuredContent as { tasks: Task[]; total: number; next_cursor: string | null };
    expect(data.total).toBe(FLAT);
    expect(data.next_cursor).not.toBeNull();
    expect(text(first)).toContain(`pass cursor "${data.next_cursor}" for the next page`);

    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await call('list_tasks', { brief: true, ...(cursor === null ? {} : { cursor }) });
      expect(size(page)).toBeLessThan(MAX_RESULT_CHARS);
      const body = page.structuredContent as { tasks: { id: string; description?: string }[]; next_cursor: string | null };
      for (const t of body.tasks) {
        expect(t.description).toBeUndefined(); // the brief form
        seen.add(t.id);
      }
      cursor = body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 1_000);
    expect(seen.size).toBe(FLAT);

    const limited = await call('list_tasks', { limit: 3 });
    expect((limited.structuredContent as { tasks: Task[] }).tasks).toHaveLength(3);
    const bad = await call('list_tasks', { cursor: 'not-a-cursor' });
    expect(bad.isError).toBe(true);
  }, 120_000);

  it('ready_tasks, task_tree and set_task_status stay bounded on large sessions', async () => {
    const ready = await call('ready_tasks');
    expect(size(ready)).toBeLessThan(MAX_RESULT_CHARS);
    expect((ready.structuredContent as { total: number }).total).toBe(FLAT);
    const tree = await call('task_tree');
    expect(size(tree)).toBeLessThan(MAX_RESULT_CHARS);
    expect(text(tree)).toMatch(/… [\d,]+ more (top-level )?tasks/);
    expect(tree.structuredContent).toMatchObject({ total: FLAT, truncated: true });

    // Completing the leaf of the chain changes all 3,000 statuses: listed up to a point, then counted.
    const leaf = chain[chain.length - 1]!;
    const done = await call('set_task_status', { session: 'chain', task_id: leaf.id, status: 'completed' });
    expect(done.isError).toBeFalsy();
    expect(size(done)).toBeLessThan(MAX_RESULT_CHARS);
    expect(done.structuredContent).toMatchObject({ changes_total: 3_000, truncated: true });
    expect(text(done)).toContain('… and 2,900 more changes');
  });

  it('the task tool lists and shows the hierarchy of large sessions within the budget, pointing at paging', async () => {
    const list = await call('task', { operation: 'list' });
    expect(list.isError).toBeFalsy();
    expect(size(list)).toBeLessThan(MAX_RESULT_CHARS);
    expect(text(list)).toMatch(new RegExp(`^Found ${FLAT} task\\(s\\):\n\n• task 0 `));
    expect(text(list)).toMatch(/more characters not shown \(use list_tasks with limit and cursor, or task_tree, for a bounded view\)$/);
    const hierarchy = await call('task_get_hierarchy', { session: 'chain' }).catch(() => null);
    // The alias is listed only at --tools all; the task tool's operation gives the same.
    expect(hierarchy?.isError ?? true).toBe(true);
    const tree = await call('task', { operation: 'get_hierarchy', session: 'chain' });
    expect(size(tree)).toBeLessThan(MAX_RESULT_CHARS);
    expect(text(tree)).toMatch(/^Task hierarchy \(1 root task\(s\)\):/);
  });

  it('a huge task and a large import give bounded results that say they were cut', async () => {
    const created = await call('create_task', { name: 'big', description: 'y'.repeat(1_000_000), session: 'big' });
    expect(size(created)).toBeLessThan(MAX_RESULT_CHARS);
    const id = (await new TaskManager(dir).listTasks('big'))[0]!.id;
    expect(created.structuredContent).toMatchObject({ truncated: true, task: { id, name: 'big', status: 'NotStarted' } });
    const shown = await call('show_task', { task_id: id, session: 'big' });
    expect(size(shown)).toBeLessThan(MAX_RESULT_CHARS);
    expect(text(shown)).toMatch(/more characters not shown/);

    const plan = Array.from({ length: 3_000 }, (_, i) => ({ name: `spec ${i}`, description: 'a step of the plan', priority: 'low', is_blocking: false }));
    const imported = await call('import_plan', { plan, session: 'plan' });
    expect(imported.isError).toBeFalsy();
    expect(size(imported)).toBeLessThan(MAX_RESULT_CHARS);
    expect(imported.structuredContent).toMatchObject({ created_total: 3_000, truncated: true });
    expect(text(imported)).toContain('… 2,800 more tasks');
    expect(text(imported).trimEnd().split('\n').at(-1)).toBe('Created 3,000 tasks, reused 0.');
  });

  it('answers a 20 MB request with an error and keeps serving', async () => {
    const huge = 'x'.repeat(20 * 1024 * 1024);
    await expect(call('create_task', { name: huge, session: 'other' })).rejects.toThrow(/larger than this server accepts/);
    const after = await call('create_task', { name: 'still here', session: 'other' });
    expect(after.isError).toBeFalsy();
    expect((await new TaskManager(dir).listTasks('other')).map((t) => t.name)).toEqual(['still here']);
  }, 120_000);

  it('escapes control characters in text results; structured results stay exact', async () => {
    const name = 'x\n✓ forged \u001b]0;title\u0007 \u202e';
    const created = await call('create_task', { name, description: 'a\u001b[2Jb', session: 'escapes' });
    const task = created.structuredContent!.task as Task;
    expect(task.name).toBe(name);
    const results = [created, await call('show_task', { task_id: task.id, session: 'escapes' }), await call('task_tree', { session: 'escapes' })];
    results.push(await call('show_task', { task_id: 'no\u001bsuch', session: 'escapes' }));
    for (const result of results) {
      // eslint-disable-next-line no-control-regex
      expect(text(result)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
    expect(text(created)).toContain('x\\n✓ forged \\e]0;title\\x07 \\u202e');
    expect(text(results[3]!)).toBe('Task not found: no\\esuch');
  });

  it('escapes terminal controls in the task tool and the resume prompt too', async () => {
    const name = 'y \u001b]0;title\u0007 \u001b[31mred \u202e';
    await call('create_task', { name, description: 'd\u001b[2J', session: 'escapes-task' });
    const texts = [
      text(await call('task', { operation: 'list', session: 'escapes-task' })),
      text(await call('task', { operation: 'create', name: 'z\u001b]0;t\u0007', session: 'escapes-task' })),
    ];
    const prompt = await client.getPrompt({ name: 'resume_session', arguments: { session: 'escapes-task' } });
    for (const message of prompt.messages) if (message.content.type === 'text') texts.push(message.content.text);
    expect(texts.join('')).toContain('\\e]0;title\\x07');
    for (const t of texts) {
      // eslint-disable-next-line no-control-regex
      expect(t).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
  });

  it('refuses in import_plan exactly what createTask refuses (a lone surrogate in a name)', async () => {
    const plan = [{ name: 'bad \ud800 name', description: 'x', priority: 'high', is_blocking: false }];
    const asArray = await call('import_plan', { plan, session: 'surrogate' });
    expect(asArray.isError).toBe(true);
    expect(text(asArray)).toContain('lone surrogate');
    const asText = await call('import_plan', { plan: JSON.stringify(plan), session: 'surrogate' });
    expect(asText.isError).toBe(true);
    const direct = await call('create_task', { name: 'bad \ud800 name', session: 'surrogate' });
    expect(direct.isError).toBe(true);
    expect(await new TaskManager(dir).listTasks('surrogate')).toEqual([]);
    expect(stderr).toBe('');
  });
});

describe('the MCP stdio transport', () => {
  it('answers a line that is not JSON, an oversized request and a too deeply nested one by id, then goes on serving', async () => {
    const rawDir = tempDir('gt-mcp-raw-');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'mcp', '--dir', rawDir], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const replies: Record<string, unknown>[] = [];
    let buffered = '';
    const done = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        buffered += d;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          replies.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
          buffered = buffered.slice(nl + 1);
          if (replies.length === 4) resolve();
        }
      });
    });
    child.stdin.write('this is not json\n');
    const huge = { jsonrpc: '2.0', id: 'big-1', method: 'tools/call', params: { name: 'create_task', arguments: { name: 'x'.repeat(5 * 1024 * 1024) } } };
    child.stdin.write(`${JSON.stringify(huge)}\n`);
    // valid JSON, but nested too deep for the message schema to check: answered by its id too
    const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    child.stdin.write(`{"jsonrpc":"2.0","id":"deep-1","method":"tools/call","params":{"name":"create_task","arguments":{"name":"x"},"_meta":${deep}}}\n`);
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };
    child.stdin.write(`${JSON.stringify(init)}\n`);
    await done;
    child.stdin.end();
    fs.rmSync(rawDir, { recursive: true, force: true });
    expect(replies[0]).toMatchObject({ id: null, error: { code: -32700 } });
    expect(replies[1]).toMatchObject({ id: 'big-1', error: { code: -32600, message: expect.stringMatching(/^message of 5242\d+ bytes is larger than this server accepts/) } });
    expect(replies[2]).toMatchObject({ id: 'deep-1', error: { code: -32600 } });
    expect(replies[3]).toMatchObject({ id: 1, result: { serverInfo: { name: 'gestura-tasks' } } });
  }, 60_000);
});
