/**
 * Interop with files written by the Rust implementation (test/fixtures). Expectations were worked
 * out by reading the JSON by hand (sort_order, created_at instants, blocked_by), not from our output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeTaskList,
  encodeTaskList,
  newExecutionEvidence,
  newMemoryEvent,
  recordEvidence,
  mergeProfile,
  satisfiesProfile,
  TaskManager,
  type TaskTreeNode,
} from '../src/index.js';
import { cleanTempDirsAfterEach, fixturePath, installFixture, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

const FIXTURES = fs.readdirSync(path.join(import.meta.dirname, 'fixtures')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

async function load(name: string): Promise<{ manager: TaskManager; dir: string; file: string; byName: (n: string) => string }> {
  const dir = tempDir();
  const file = installFixture(dir, name);
  const manager = new TaskManager(dir);
  const tasks = await manager.listTasks(name);
  const byName = (n: string): string => {
    const t = tasks.find((x) => x.name === n);
    if (!t) throw new Error(`no task named ${n} in ${name}`);
    return t.id;
  };
  return { manager, dir, file, byName };
}

function names(nodes: TaskTreeNode[]): unknown[] {
  return nodes.map((n) => (n.children.length === 0 ? n.task.name : { [n.task.name]: names(n.children) }));
}

const TASK_KEYS = [
  'id', 'name', 'description', 'status', 'parent_id', 'blocked_by', 'background_job', 'sort_order', 'phase',
  'created_at', 'updated_at', 'session_id', 'source', 'orchestrator_task_id', 'agent_id', 'metadata',
];
const REQUIRED = ['id', 'name', 'description', 'status', 'created_at', 'updated_at', 'session_id'];
const RUST_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6}|\.\d{9})?Z$/;

/** The rules a Rust reader (serde, chrono) applies to a session file, plus our writing rules. */
function expectRustReadable(text: string, session: string): void {
  expect(text.endsWith('\n')).toBe(false);
  const data = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(data).slice(0, 2)).toEqual(['session_id', 'tasks']);
  expect(data.session_id).toBe(session);
  if ('current_task_id' in data) expect(typeof data.current_task_id).toBe('string');
  for (const task of data.tasks as Record<string, unknown>[]) {
    for (const key of REQUIRED) expect(typeof task[key], key).toBe('string');
    const known = Object.keys(task).filter((k) => TASK_KEYS.includes(k));
    expect(known).toEqual(TASK_KEYS.filter((k) => k in task));
    expect(['NotStarted', 'Blocked', 'InProgress', 'Completed', 'Cancelled']).toContain(task.status);
    expect(['User', 'Agent', 'Orchestrator']).toContain(task.source);
    if ('blocked_by' in task) {
      expect(Array.isArray(task.blocked_by)).toBe(true);
      expect((task.blocked_by as unknown[]).length).toBeGreaterThan(0);
    }
    expect(Number.isInteger(task.sort_order)).toBe(true);
    expect(task.created_at).toMatch(RUST_TS);
    expect(task.updated_at).toMatch(RUST_TS);
    for (const key of ['parent_id', 'orchestrator_task_id', 'agent_id', 'metadata']) expect(key in task, key).toBe(true);
    if ('background_job' in task) expect(Object.keys(task.background_job as object)[0]).toBe('status');
  }
}

describe('every Rust-written fixture', () => {
  it('is present (8 files)', () => {
    expect(FIXTURES).toEqual([
      'rust-auto-plan', 'rust-background-jobs', 'rust-breakdown', 'rust-edge-cases', 'rust-empty',
      'rust-execution-memory', 'rust-reconcile', 'rust-tree-deps',
    ]);
  });

  it.each(FIXTURES)('%s loads, and saving it back unchanged is byte-identical', async (name) => {
    const original = fs.readFileSync(fixturePath(`${name}.json`));
    expect(encodeTaskList(decodeTaskList(original.toString('utf8'), name))).toBe(original.toString('utf8'));
    const { manager, file } = await load(name);
    const tasks = await manager.listTasks(name);
    expect(tasks.length).toBe((JSON.parse(original.toString('utf8')) as { tasks: unknown[] }).tasks.length);
    await manager.replaceTaskList(name, await manager.loadTaskList(name));
    expect(fs.readFileSync(file)).toEqual(original);
    // Every task is in the tree exactly once.
    const seen: string[] = [];
    const walk = (nodes: TaskTreeNode[]): void => nodes.forEach((n) => { seen.push(n.task.id); walk(n.children); });
    walk(await manager.getTaskTree(name));
    expect(seen.sort()).toEqual(tasks.map((t) => t.id).sort());
  });

  it.each(FIXTURES)('%s loads with a trailing newline too, and our next write has none', async (name) => {
    const dir = tempDir();
    const file = installFixture(dir, name);
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${original}\n`);
    const manager = new TaskManager(dir);
    expect((await manager.loadTaskList(name)).toJSON()).toEqual(decodeTaskList(original, name).toJSON());
    await manager.replaceTaskList(name, await manager.loadTaskList(name));
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
  });

  it.each(FIXTURES)('%s: a file we write after changes still follows the Rust reader rules', async (name) => {
    const { manager, file } = await load(name);
    const root = await manager.createTask(name, 'Interop root', 'd');
    const child = await manager.createAgentTask(name, 'Interop child', '', 'agent', root.id);
    const orch = await manager.createOrchestratorTask(name, 'orch-x', 'agent-x', 'Orch', '', { a: 1 });
    await manager.addTaskDependency(name, root.id, orch.id);
    await manager.setTaskBackgroundJob(name, orch.id, { status: 'Succeeded', message: 'ok' });
    await manager.updateTaskStatus(name, child.id, 'Completed');
    await manager.updateExecutionState(name, child.id, (s) => {
      mergeProfile(s, { requires_test: true });
      recordEvidence(s, newExecutionEvidence('test', 'npm test', 'shell', 'npm test'));
    });
    await manager.recordMemoryEvent(name, child.id, newMemoryEvent('promoted', 'saved', 'task', 'note', '/m.md'));
    await manager.setCurrentTaskId(name, root.id);
    for (const t of (await manager.listTasks(name)).slice(0, 3)) await manager.updateTask(name, t.id, null, `${t.description}!`);
    expectRustReadable(fs.readFileSync(file, 'utf8'), name);
    // And it reads back equal in a fresh manager.
    expect(await new TaskManager(path.dirname(path.dirname(path.dirname(file)))).listTasks(name)).toEqual(await manager.listTasks(name));
  });
});

describe('trees, descendant orders and blocked flags', () => {
  it('rust-tree-deps', async () => {
    const { manager, byName } = await load('rust-tree-deps');
    const s = 'rust-tree-deps';
    expect(names(await manager.getTaskTree(s))).toEqual([
      { 'Ünïcödé 根任务 🚀': ['Child B (renamed) ✂️', { 'Child A — ñandú': ['Grandchild 孫 ✓'] }, 'Delegated child'] },
      'Chain step 1', 'Chain step 2', 'Chain step 3', 'Idle task',
    ]);
    expect((await manager.listDescendants(s, byName('Ünïcödé 根任务 🚀'))).map((t) => t.name)).toEqual([
      'Child B (renamed) ✂️', 'Child A — ñandú', 'Grandchild 孫 ✓', 'Delegated child',
    ]);
    const blocked = async (n: string): Promise<boolean> => manager.isTaskBlocked(s, byName(n));
    expect(await blocked('Chain step 2')).toBe(false);
    expect(await blocked('Chain step 3')).toBe(true);
    expect(await blocked('Idle task')).toBe(false);
    expect(await manager.getCurrentTaskId(s)).toBe(byName('Child A — ñandú'));
    expect((await manager.getHierarchy(s))[0]![1].map((t) => t.name)).toEqual(['Child A — ñandú', 'Child B (renamed) ✂️', 'Delegated child']);
    // Completing the chain: step 3 waits for step 2 only.
    await manager.updateTaskStatus(s, byName('Chain step 2'), 'Completed');
    expect(await blocked('Chain step 3')).toBe(false);
    await expect(manager.updateTaskStatus(s, byName('Ünïcödé 根任务 🚀'), 'Completed')).rejects.toThrow(
      "Invalid input: task 'Ünïcödé 根任务 🚀' cannot be completed while subtasks remain open: 'Child A — ñandú', 'Delegated child'",
    );
  });

  it('rust-edge-cases: roots by sort_order then instant; orphan shown as root; missing blocker blocks', async () => {
    const { manager, byName } = await load('rust-edge-cases');
    const s = 'rust-edge-cases';
    expect(names(await manager.getTaskTree(s))).toEqual([
      'ts nanos', { 'ts whole seconds': ['Metadata numbers'] }, 'ts millis', 'ts micros', 'ts offset input',
      'String metadata', 'Defaults from empty objects', 'Orphan (missing parent)',
    ]);
    expect(await manager.isTaskBlocked(s, byName('Orphan (missing parent)'))).toBe(true);
    expect(await manager.isTaskBlocked(s, byName('ts nanos'))).toBe(false);
    expect((await manager.getHierarchy(s)).map(([r]) => r.name)).not.toContain('Orphan (missing parent)');
    const defaults = byName('Defaults from empty objects');
    expect(await manager.getExecutionState(s, defaults)).toMatchObject({ saw_tool_activity: false, evidence: [], verification_profile: { execution_kind: 'general' } });
    expect(await manager.getMemoryLifecycle(s, defaults)).toMatchObject({ events: [] });
    expect(await manager.getExecutionState(s, byName('String metadata'))).toBeNull();
    expect((await manager.getTask(s, byName('ts nanos')))!.phase).toBe('');
  });

  it('rust-reconcile', async () => {
    const { manager, byName } = await load('rust-reconcile');
    const s = 'rust-reconcile';
    expect(await manager.isTaskBlocked(s, byName('Blocked parent'))).toBe(true);
    expect((await manager.listDescendants(s, byName('Three-level root'))).map((t) => t.name)).toEqual(['Three-level middle', 'Three-level leaf']);
    expect(names(await manager.getTaskTree(s))).toEqual([
      { 'Auto-completed parent': ['Done child', 'Cancelled child'] }, { 'Reopened parent': ['Reopened child'] }, 'Prerequisite',
      { 'Blocked parent': ['Child of blocked parent'] }, { 'Cancelled parent': ['Child of cancelled parent'] },
      { 'Parent with running job': ['Child of running parent'] }, { 'Three-level root': [{ 'Three-level middle': ['Three-level leaf'] }] },
    ]);
    // Our reconciliation agrees with the states Rust stored: reopening the leaf reopens both ancestors.
    await manager.updateTaskStatus(s, byName('Three-level leaf'), 'InProgress');
    expect((await manager.getTask(s, byName('Three-level root')))!.status).toBe('InProgress');
    await manager.updateTaskStatus(s, byName('Reopened child'), 'Completed');
    expect((await manager.getTask(s, byName('Reopened parent')))!.status).toBe('Completed');
    expect(await manager.getCurrentTaskId(s)).toBeNull();
  });

  it('rust-auto-plan and rust-breakdown', async () => {
    const plan = await load('rust-auto-plan');
    expect((await plan.manager.listDescendants('rust-auto-plan', plan.byName('Build a hello world Tauri app'))).map((t) => t.name)).toEqual([
      'Scaffold the Tauri app', 'Render hello world', 'Smoke test 🚀',
    ]);
    expect((await plan.manager.listDescendants('rust-auto-plan', plan.byName('Refactor the parser'))).map((t) => t.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `Step ${String(i + 1).padStart(2, '0')}`),
    );
    const breakdown = await load('rust-breakdown');
    expect(names(await breakdown.manager.getTaskTree('rust-breakdown'))).toEqual([
      { 'Epic 🧭': [{ 'Story A': ['Subtask A.1'] }, 'Story B', 'Story C'] }, 'Loose spec', { 'Tracked root': ['Tracked leaf'] },
      { 'Sticky root': ['Reopened child'] },
    ]);
    // Materialising the same names again reuses the Rust-made tasks.
    const again = await breakdown.manager.materializeRequirementBreakdownUnderParent('rust-breakdown', breakdown.byName('Epic 🧭'), [
      { name: 'story  b', description: 'x', priority: '', is_blocking: false, parent_name: null },
      { name: 'Subtask A.1', description: 'x', priority: '', is_blocking: false, parent_name: 'Story A' },
      { name: 'Story A', description: 'x', priority: '', is_blocking: false, parent_name: null },
    ]);
    expect(again.created_tasks.map((t) => t.name)).toEqual(['Story B', 'Story A', 'Subtask A.1']);
    expect(await breakdown.manager.listTasks('rust-breakdown')).toHaveLength(10);
  });

  it('rust-background-jobs: the completion check sees every active job state', async () => {
    const { manager, byName } = await load('rust-background-jobs');
    const s = 'rust-background-jobs';
    for (const status of ['Queued', 'Blocked', 'AwaitingApproval', 'Running']) {
      await expect(manager.updateTaskStatus(s, byName(`Background ${status}`), 'Completed')).rejects.toThrow(
        `Invalid input: task 'Background ${status}' cannot be completed while its background job is still ${status}`,
      );
    }
    await manager.updateTaskStatus(s, byName('Background Cancelled'), 'Completed');
    expect((await manager.getTask(s, byName('Orchestrator default job')))!.background_job).toEqual({ status: 'Queued', message: 'Created by orchestrator' });
    expect((await manager.getTask(s, byName('Cleared background job')))!.background_job).toBeUndefined();
  });

  it('rust-execution-memory: stored states evaluate as expected', async () => {
    const { manager, byName } = await load('rust-execution-memory');
    const s = 'rust-execution-memory';
    const verdict = async (n: string): Promise<boolean> => satisfiesProfile((await manager.getExecutionState(s, byName(n)))!);
    expect(await verdict('Implement ✨ feature')).toBe(true);
    expect(await verdict('Plan the work')).toBe(false);
    expect(await verdict('Verify facts')).toBe(true);
    expect(await verdict('Diagnose 🩺 failure')).toBe(false);
    expect(await verdict('Launch the app')).toBe(true);
    expect(await verdict('Evidence window')).toBe(true);
    expect(await verdict('General chore')).toBe(false);
    const window = (await manager.getExecutionState(s, byName('Evidence window')))!;
    expect(window.evidence).toHaveLength(32);
    const cap = (await manager.getMemoryLifecycle(s, byName('Memory cap')))!;
    expect([cap.events.length, cap.events[0]!.summary, cap.events[31]!.summary, cap.last_memory_file_path]).toEqual([32, 'event 04', 'event 35', '.gestura/memory/event-03.md']);
    expect(await manager.getExecutionState(s, byName('Failed run'))).toBeNull();
    // One more event keeps 32 and drops "event 04".
    const after = await manager.recordMemoryEvent(s, byName('Memory cap'), newMemoryEvent('promoted', 'event 36'));
    expect([after.events.length, after.events[0]!.summary, after.last_memory_file_path]).toEqual([32, 'event 05', '.gestura/memory/event-03.md']);
    // A duplicate of stored Rust evidence is recognised.
    const diag = (await manager.getExecutionState(s, byName('Diagnose 🩺 failure')))!;
    const first = diag.evidence[0]!;
    expect(recordEvidence(diag, newExecutionEvidence(first.kind, first.summary, first.tool_name, first.command, first.success))).toBe(false);
  });
});
