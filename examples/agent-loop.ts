/**
 * The `task` tool in a typical agent loop. A scripted "model" (standing in for an LLM) sends the
 * kind of calls real models send — aliases, JSON text, XML fragments, loose statuses, a repeated
 * bad call — and the loop feeds each result text back. At the end: the runtime snapshot and the
 * session rendered for a model's context at 300 tokens.
 *
 * Run with `npx tsx examples/agent-loop.ts`, or `npx tsx examples/agent-loop.ts <baseDir> <session> [maxTokens]`
 * to only render an existing session (e.g. the one `npm run demo` prints).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TaskManager, createTaskTools, estimateTokens, type TaskTool } from '../src/index.js';

const [baseArg, sessionArg, budgetArg] = process.argv.slice(2);
if (baseArg !== undefined && sessionArg !== undefined) {
  const manager = new TaskManager(baseArg);
  const text = await manager.renderForPrompt(sessionArg, { maxTokens: Number(budgetArg ?? 300) });
  console.log(text);
  console.log(`\n(${estimateTokens(text)} estimated tokens)`);
  process.exit(0);
}

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gestura-agent-'));
const manager = new TaskManager(workspace);
const session = 'agent-session';

// 1. Register the tools with the model: name, description and JSON Schema of each.
const tools = new Map<string, TaskTool>(createTaskTools(manager, { sessionId: session }).map((t) => [t.name, t]));
const toolSpecs = [...tools.values()].map(({ name, description, inputSchema }) => ({ name, description, input_schema: inputSchema }));
console.log(`registered ${toolSpecs.length} tools: ${toolSpecs.map((t) => t.name).join(', ')}`);

// 2. The loop: the model asks for a tool call, we run it, the result text goes back to the model.
type ToolCall = { name: string; arguments: unknown };
const lastId = (text: string): string => /\(ID: ([^)]+)\)/.exec(text)?.[1] ?? '';
const ids: Record<string, string> = {};
const script: ((previous: string) => ToolCall)[] = [
  () => ({ name: 'task', arguments: '{"operation": "create", "name": "Build a CSV-to-JSON CLI", "description": "Small CLI with tests and docs"}' }),
  (prev) => ((ids.root = lastId(prev)), { name: 'task_create', arguments: { title: 'Scaffold the CLI', parentId: ids.root } }),
  (prev) => ((ids.scaffold = lastId(prev)), { name: 'tasks', arguments: { operation: 'create', name: 'Parse arguments', parent_id: ids.scaffold } }),
  (prev) => ((ids.parse = lastId(prev)), { name: 'task', arguments: { operation: 'create', name: 'Write tests', parent_id: `(ID: ${ids.root})` } }),
  (prev) => ((ids.tests = lastId(prev)), { name: 'task_create', arguments: { name: 'TBD', description: 'Document usage. README section with examples.', parent_id: ids.root } }),
  (prev) => ((ids.docs = lastId(prev)), { name: 'task_update_status', arguments: { taskId: ids.parse, state: 'In Progress' } }),
  () => ({ name: 'task', arguments: { operation: 'update_status', task_id: ids.tests, status: 'almost' } }),
  () => ({ name: 'task', arguments: { operation: 'update_status', task_id: ids.tests, status: 'soon' } }),
  () => ({ name: 'task', arguments: { operation: 'update_status', task_id: `${ids.root}<parameter name="status">done</parameter>` } }),
  () => ({ name: 'task_get_hierarchy', arguments: {} }),
];
let previous = '';
for (const turn of script) {
  const call = turn(previous);
  const tool = tools.get(call.name);
  const result = tool ? await tool.execute(call.arguments) : { ok: false, text: `Unknown tool ${call.name}` };
  console.log(`\n>>> ${call.name} ${typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments)}`);
  console.log(`${result.ok ? '' : '[error] '}${result.text}`);
  previous = result.text;
}

// 3. What the loop knows without asking the model, and what goes back into its context after compaction.
await manager.setCurrentTaskId(session, ids.parse as string);
await manager.addTaskDependency(session, ids.tests as string, ids.scaffold as string);
const snapshot = await manager.runtimeSnapshot(session);
console.log(`\nsnapshot: ${snapshot.status_message}`);
console.log(`ready: ${snapshot.ready_tasks.map((t) => t.name).join(', ')}`);
console.log(`blocked: ${snapshot.blocked_tasks.map((b) => `${b.task.name} (waits for ${b.waiting_for.map((w) => w.name).join(', ')})`).join('; ')}`);
const prompt = await manager.renderForPrompt(session, { maxTokens: 300 });
console.log(`\nrenderForPrompt at 300 tokens (${estimateTokens(prompt)} estimated):\n${prompt}`);
