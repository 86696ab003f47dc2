/** The MCP server end to end: the SDK client talks to `gestura-tasks mcp` running as a child process. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskManager, type Task } from '../src/index.js';
import { tempDir } from './helpers/env.js';
import { repoRoot } from './helpers/spawn-tsx.js';
import fs from 'node:fs';

const SESSION = 'agents';
let dir: string;
let client: Client;
let transport: StdioClientTransport;
let stderr = '';

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

beforeAll(async () => {
  dir = tempDir('gt-mcp-');
  transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp', '--dir', dir, '--session', SESSION],
    cwd: repoRoot,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'gestura-tasks-test', version: '0.0.0' });
  // Any non-protocol byte on the server's stdout would fail the client's JSON-RPC parsing.
  client.onerror = (error) => {
    throw error;
  };
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('gestura-tasks mcp', () => {
  it('announces itself and lists the tools with input schemas', async () => {
    expect(client.getServerVersion()?.name).toBe('gestura-tasks');
    expect(client.getInstructions()).toContain('claim_task');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'add_dependency',
        'claim_task',
        'create_task',
        'delete_task',
        'import_plan',
        'list_tasks',
        'ready_tasks',
        'record_evidence',
        'release_claim',
        'renew_claim',
        'set_task_status',
        'show_task',
        'task',
        'task_history',
        'task_tree',
        'update_task',
      ].sort(),
    );
    const create = tools.find((t) => t.name === 'create_task')!;
    expect(create.inputSchema.required).toEqual(['name']);
    expect(Object.keys(create.inputSchema.properties ?? {})).toContain('parent_id');
    expect(tools.find((t) => t.name === 'task_tree')!.annotations?.readOnlyHint).toBe(true);
  });

  it('drives a session: create, update, dependencies, ready, claim, evidence, status, tree, delete', async () => {
    const root = (await call('create_task', { name: 'Ship', description: 'the release' })).structuredContent!.task as Task;
    expect(root).toMatchObject({ name: 'Ship', session_id: SESSION, status: 'NotStarted' });
    const build = (await call('create_task', { name: 'Build', parent_id: root.id })).structuredContent!.task as Task;
    const created = await call('create_task', { name: 'Test', parent_id: root.id, blocked_by: [build.id], agent_id: 'planner' });
    expect(text(created)).toMatch(/^Created ○ Test \(.+\) \[not_started\]$/);
    const testTask = created.structuredContent!.task as Task;
    expect(testTask).toMatchObject({ blocked_by: [build.id], source: 'Agent', agent_id: 'planner' });

    const renamed = await call('update_task', { task_id: build.id, name: 'Build it' });
    expect((renamed.structuredContent!.task as Task).name).toBe('Build it');

    const dep = await call('add_dependency', { task_id: testTask.id, blocker_id: build.id });
    expect(dep.structuredContent).toEqual({ added: false });

    const ready = await call('ready_tasks');
    expect((ready.structuredContent!.tasks as Task[]).map((t) => t.id)).toEqual([build.id]);

    const claim = await call('claim_task', { agent_id: 'worker-1' });
    expect(claim.structuredContent!.task).toMatchObject({ id: build.id, status: 'InProgress', agent_id: 'worker-1' });
    expect(text(claim)).toContain('Claimed ◐ Build it');
    expect(text(await call('claim_task', { agent_id: 'worker-2' }))).toBe('Nothing ready to claim.');

    const evidence = await call('record_evidence', { task_id: build.id, kind: 'build', summary: 'npm run build', tool_name: 'shell' });
    expect(evidence.structuredContent).toMatchObject({ recorded: true, execution_state: { build_succeeded: true, saw_tool_activity: true } });
    const repeat = await call('record_evidence', { task_id: build.id, kind: 'build', summary: 'npm run build', tool_name: 'shell' });
    expect(repeat.structuredContent).toMatchObject({ recorded: false });

    const refused = await call('set_task_status', { task_id: testTask.id, status: 'completed' });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toBe("Invalid input: task 'Test' cannot be completed while dependencies remain open");

    const done = await call('set_task_status', { task_id: build.id, status: 'done' });
    expect(done.structuredContent!.changes).toEqual([{ task_id: build.id, name: 'Build it', from: 'in_progress', to: 'completed' }]);
    const last = await call('set_task_status', { task_id: testTask.id, status: 'completed' });
    expect((last.structuredContent!.changes as { name: string }[]).map((c) => c.name)).toEqual(['Ship', 'Test']);

    const tree = await call('task_tree');
    expect(text(tree)).toBe(
      [`✓ Ship  ${root.id}`, `├── ✓ Build it  ${build.id}`, `└── ✓ Test  ${testTask.id}`, '3 tasks: 3 completed'].join('\n'),
    );
    expect((tree.structuredContent!.tree as unknown[]).length).toBe(1);

    const show = await call('show_task', { task_id: root.id });
    expect(show.structuredContent).toMatchObject({ task: { id: root.id }, is_blocked: false });
    expect((show.structuredContent!.subtasks as Task[]).map((t) => t.name)).toEqual(['Build it', 'Test']);

    const listed = await call('list_tasks', { status: 'completed' });
    expect((listed.structuredContent!.tasks as Task[]).length).toBe(3);

    const deleted = await call('delete_task', { task_id: testTask.id });
    expect(text(deleted)).toContain('Deleted ✓ Test');

    // Everything went to the session file, readable by the library.
    const tasks = await new TaskManager(dir).listTasks(SESSION);
    expect(tasks.map((t) => t.name)).toEqual(['Ship', 'Build it']);
  });

  it('imports a plan (dry run, then for real) and works on other sessions', async () => {
    const plan = [
      { name: 'Design', description: 'Sketch it', priority: 'High', is_blocking: true },
      { name: 'Schema', description: 'Tables', priority: 'low', is_blocking: false, parent_name: 'Design' },
    ];
    const dry = await call('import_plan', { plan, dry_run: true, session: 'other' });
    expect(text(dry)).toBe(['+ Design  (new)', '  + Schema  (new)', 'Would create 2 tasks, reuse 0; nothing written (dry run).'].join('\n'));
    expect(await new TaskManager(dir).listTasks('other')).toEqual([]);

    const real = await call('import_plan', { plan: `Plan:\n${JSON.stringify(plan)}\nDone.`, session: 'other' });
    expect(real.structuredContent).toMatchObject({ dry_run: false, reused: [] });
    expect((real.structuredContent!.created as Task[]).map((t) => t.name)).toEqual(['Design', 'Schema']);
    const again = await call('import_plan', { plan, session: 'other' });
    expect((again.structuredContent!.reused as Task[]).length).toBe(2);
    expect(text(await call('task_tree', { session: 'other' }))).toContain('└── ○ Schema');
  });

  it('returns task errors as tool errors and rejects bad input', async () => {
    const missing = await call('show_task', { task_id: 'nope' });
    expect(missing).toMatchObject({ isError: true, content: [{ type: 'text', text: 'Task not found: nope' }] });
    // As in Rust, the task is looked up before the rest of the input is checked.
    expect(text(await call('set_task_status', { task_id: 'nope', status: 'later' }))).toBe('Task not found: nope');
    const real = (await call('create_task', { name: 'Real' })).structuredContent!.task as Task;
    const badStatus = await call('set_task_status', { task_id: real.id, status: 'later' });
    expect(text(badStatus)).toContain("Unknown task status: 'later'");
    const badSession = await call('list_tasks', { session: '../etc' });
    expect(badSession.isError).toBe(true);
    const badPlan = await call('import_plan', { plan: 'no json at all' });
    expect(text(badPlan)).toBe('Serialization error: planner response did not contain a JSON array');
    const badArgs = await call('create_task', { description: 'no name' });
    expect(badArgs.isError).toBe(true);
    expect(stderr).toBe('');
  });
  it('leases claims with claim_task, fences status and evidence with claim_token, renews and releases', async () => {
    const session = 'leases';
    const first = (await call('create_task', { name: 'Leased', session })).structuredContent!.task as Task;
    const second = (await call('create_task', { name: 'Named', session })).structuredContent!.task as Task;

    const claimed = await call('claim_task', { agent_id: 'w1', lease_ms: 600_000, session });
    expect(claimed.isError).toBeFalsy();
    const token = claimed.structuredContent!.claim_token as number;
    expect(token).toBeGreaterThanOrEqual(1);
    expect(claimed.structuredContent!.claim).toMatchObject({ agent_id: 'w1', token, lease_ms: 600_000 });
    expect(claimed.structuredContent!.task).toMatchObject({ id: first.id, status: 'InProgress', agent_id: 'w1' });
    expect(text(claimed)).toMatch(/claimed by w1, token \d+, \d+m \d+s left/);

    // task_id claims that task; the new token is larger.
    const named = await call('claim_task', { agent_id: 'w2', task_id: second.id, lease_ms: 600_000, session });
    expect(named.structuredContent!.task).toMatchObject({ id: second.id, agent_id: 'w2' });
    expect(named.structuredContent!.claim_token as number).toBeGreaterThan(token);

    // A wrong token changes nothing and says the claim was lost and who holds it.
    const wrong = await call('set_task_status', { task_id: first.id, status: 'completed', claim_token: token + 1, session });
    expect(wrong.isError).toBe(true);
    expect(text(wrong)).toContain("claim lost: token");
    expect(text(wrong)).toContain("agent 'w1' holds it now");
    const wrongEvidence = await call('record_evidence', { task_id: first.id, kind: 'test', summary: 'late', claim_token: token + 1, session });
    expect(wrongEvidence.isError).toBe(true);
    const shown = await call('show_task', { task_id: first.id, session });
    expect(JSON.stringify(shown.structuredContent)).not.toContain('late');

    const evidence = await call('record_evidence', { task_id: first.id, kind: 'test', summary: 'passed', claim_token: token, session });
    expect(evidence.isError).toBeFalsy();

    const renewed = await call('renew_claim', { task_id: first.id, claim_token: token, lease_ms: 900_000, session });
    expect(renewed.structuredContent!.claim).toMatchObject({ agent_id: 'w1', token, lease_ms: 900_000 });
    expect((await call('renew_claim', { task_id: first.id, claim_token: 0, session })).isError).toBe(true);
    expect((await call('claim_task', { agent_id: 'w1', lease_ms: 0, session })).isError).toBe(true);

    const done = await call('set_task_status', { task_id: first.id, status: 'completed', claim_token: token, session });
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent!.task).toMatchObject({ status: 'Completed' });

    const namedToken = named.structuredContent!.claim_token as number;
    const released = await call('release_claim', { task_id: second.id, claim_token: namedToken, session });
    expect(released.structuredContent!.task).toMatchObject({ id: second.id, status: 'NotStarted', agent_id: null });
    const again = await call('release_claim', { task_id: second.id, claim_token: namedToken, session });
    expect(again.isError).toBe(true);
    expect(text(again)).toContain('nobody holds it now');

    // The history tells it, newest first, each change with its actor: the claiming agent for the
    // claim and for every write its token proved, the server ('mcp') for calls that name no agent;
    // the refused writes left nothing.
    const history = await call('task_history', { task_id: first.id, session });
    expect(history.isError).toBeFalsy();
    const entries = history.structuredContent!.entries as { actor: string; change: { type: string; to?: string } }[];
    expect(entries.map((e) => [e.change.type, e.actor]).reverse()).toEqual([
      ['created', 'mcp'],
      ['claim_taken', 'w1'],
      ['status_changed', 'w1'],
      ['evidence_recorded', 'w1'],
      ['claim_renewed', 'w1'],
      ['status_changed', 'w1'],
    ]);
    expect(history.structuredContent!.more).toBe(false);
    expect(text(history).split('\n')[0]).toMatch(/#\d+ {2}w1 {2}status in_progress → completed {2}\(updateTaskStatus\)$/);
    const released2 = await call('task_history', { task_id: second.id, session, limit: 1 });
    expect(released2.structuredContent).toMatchObject({ entries: [{ actor: 'w2', change: { type: 'status_changed', to: 'NotStarted' } }] });
    const limited = await call('task_history', { session, limit: 1, since: '1h' });
    expect(limited.structuredContent).toMatchObject({ more: true });
    expect((limited.structuredContent!.entries as unknown[]).length).toBe(1);
    expect((await call('task_history', { session, since: 'yesterday' })).isError).toBe(true);
    expect(stderr).toBe('');
  });
});
