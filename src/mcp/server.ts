/**
 * The MCP server: the task manager as tools for agents, over stdio. Built on the public API and
 * the application layer in src/app (shared with the CLI); it imports nothing from src/cli.
 *
 * Every tool takes an optional `session` (default: the server's session) and returns a concise
 * text result plus `structuredContent`. Task errors come back as tool errors (`isError`) carrying
 * the library's message, so agents can read and correct them. Nothing but protocol is written to
 * stdout. Every result is bounded (see {@link RESULT_BUDGET_BYTES}): lists come in pages with a
 * `next_cursor`, trees are cut by depth and width with counts, and a result says when it was cut
 * and how to get the rest.
 *
 * Also offered: the original's `task` tool (and at `--tools all` its aliases) with its exact texts,
 * the `resume_session` prompt, and each session file as a resource. `--tools core|standard|all`
 * picks how many tools are listed (the table is in tool-levels.ts).
 *
 * Exact numbers: `structuredContent` is serialised by the SDK with `JSON.stringify`, which would
 * round 64-bit integers kept in metadata (9007199254740993 → 9007199254740992). Such numbers are
 * given as their exact decimal text (a JSON string) instead; `numbers_as_text` lists the JSON
 * Pointers of those places, and a second text content block carries the same result as exact JSON
 * with real numbers. Numbers `JSON.stringify` prints unchanged stay numbers. (README, "MCP".)
 */
import type { Readable, Writable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  formatTaskStatus,
  MAX_LEASE_MS,
  isTaskError,
  newExecutionEvidence,
  recordEvidence,
  RequirementBreakdownTaskSpecSchema,
  satisfiesProfile,
  taskToolsForMcp,
  TaskExecutionEvidenceKindSchema,
  type Task,
  type TaskManager,
} from '../index.js';
import { jsonSize, truncateText } from '../app/bounds.js';
import { claimFor, claimView, describeClaim, nowTimestamp, releaseFor, renewFor, type ClaimResult } from '../app/claims.js';
import { createTask } from '../app/create-task.js';
import { escapeLines, escapeText } from '../app/escape.js';
import { exactStructured, printExactJson } from '../app/exact-numbers.js';
import { filterTasks, parseTaskFilter } from '../app/filters.js';
import { DEFAULT_HISTORY_LIMIT, parseSince, readHistoryPage, renderHistory } from '../app/history.js';
import { importPlan } from '../app/plan-import.js';
import { takePage, type Page } from '../app/paging.js';
import { loadTaskDetails } from '../app/show-task.js';
import { setTaskStatus } from '../app/status-change.js';
import { plainStyle, plural } from '../app/style.js';
import { taskBrief, type TaskBrief } from '../app/task-brief.js';
import { readyTasks } from '../app/task-state.js';
import { briefLine, renderDetails, summary } from '../app/text-task.js';
import { renderPlanImport } from '../app/text-plan.js';
import { renderTreeView } from '../app/text-tree.js';
import { treeView, type TreeRow } from '../app/tree-view.js';
import { packageVersion } from '../app/version.js';
import { registerResumePrompt } from './resume-prompt.js';
import { registerSessionResources } from './session-resource.js';
import { BoundedStdioServerTransport, DEFAULT_MAX_MESSAGE_BYTES } from './stdio-transport.js';
import { isKnownTool, parseToolLevel, TOOL_LEVELS, toolsAt, type ToolLevel } from './tool-levels.js';

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** The session tools use when a call gives none. */
  readonly session: string;
  /** How many tools are listed (default `standard`); see tool-levels.ts. */
  readonly tools?: ToolLevel;
}

/**
 * Budget of one tool result, text and structured content together, in characters of JSON: about
 * 15k tokens, well inside what MCP clients accept (the official one stops at 25k tokens).
 */
export const RESULT_BUDGET_BYTES = 60_000;
/** What the items of one page may take: the rest of the budget is for the envelope and text. */
const PAGE_BUDGET_BYTES = RESULT_BUDGET_BYTES / 2;
/** The most history entries one `task_history` call returns. */
const HISTORY_LIMIT_MAX = 500;
/** Status changes listed in a `set_task_status` result before they are only counted. */
const CHANGES_SHOWN = 100;

const INSTRUCTIONS_HEAD = `Task lists for agents (gestura-tasks). Each session holds a tree of tasks with statuses
not_started, blocked, in_progress, completed, cancelled and "waits for" dependencies.`;
const INSTRUCTIONS_STANDARD = `Typical loop: ready_tasks or claim_task (atomically takes the next ready task for your agent id),
work on it, record_evidence as you go, then set_task_status to completed (refused while subtasks
or dependencies are open). Use import_plan to turn a planner's JSON array of task specs into tasks
(existing tasks with the same name are reused), task_tree to see everything. The task tool takes
the original gestura operations (create, update_status, update, delete, list, get_hierarchy).
Leases: claim_task with lease_ms returns a claim_token; pass it as claim_token to set_task_status and
record_evidence, call renew_claim before the lease runs out, and release_claim to give a task back.
A task whose lease ran out is ready again and your late writes are refused. task_history tells who
changed what and when (newest first), for the session or one task.`;
const INSTRUCTIONS_CORE = `Typical loop: ready_tasks or claim_task (atomically takes the next ready task for your agent id),
work on it, record_evidence as you go, then the task tool with operation update_status and status
completed (refused while subtasks or dependencies are open). The task tool also creates, updates,
deletes and lists tasks; task_tree shows everything.`;
const INSTRUCTIONS_TAIL = `Results are bounded: lists come in pages (pass next_cursor as cursor for the next one; brief=true
gives short task forms), and task_tree shows deep or wide parts as counts (pass root_id to look inside).
The resume_session prompt gives where a session stands within a token budget; each session file is
the resource gestura-tasks://sessions/{session}.`;

function instructions(level: ToolLevel): string {
  return [INSTRUCTIONS_HEAD, level === 'core' ? INSTRUCTIONS_CORE : INSTRUCTIONS_STANDARD, INSTRUCTIONS_TAIL].join('\n');
}

const sessionArg = z.string().optional().describe("Session id (default: the server's session)");
const taskIdArg = z.string().min(1).describe('Task id');
const limitArg = z.number().int().min(1).optional().describe('At most this many items');
const cursorArg = z.string().optional().describe('next_cursor of the previous page, to continue');
const briefArg = z.boolean().optional().describe('Short task forms (id, name, status, parent, agent, dependencies)');
const leaseArg = z.number().int().min(1).max(MAX_LEASE_MS).optional();
const tokenArg = z.number().int().min(1).optional();

/** The text line about a leased claim, or '' when the task has none. */
function claimLine(task: Task): string {
  const view = claimView(task, nowTimestamp());
  return view === null ? '' : `\n${escapeText(describeClaim(view))}`;
}

/** The structured result of a claiming tool: the task, its claim and the token to fence with. */
function claimData(result: ClaimResult): Record<string, unknown> {
  return { task: result.task, claim: result.claim, claim_token: result.claim?.token ?? null };
}

interface ToolOutput {
  readonly text: string;
  readonly data: Record<string, unknown>;
}

type Shaped = Task | TaskBrief;

function shape(task: Task, brief: boolean | undefined): Shaped {
  if (brief === true) return taskBrief(task);
  // A task too large to list in full (a huge description) is listed briefly; show_task has it all.
  return jsonSize(task) > PAGE_BUDGET_BYTES / 2 ? taskBrief(task) : task;
}

/** A page of tasks in the requested form, and its text lines. */
function taskPage(tasks: readonly Task[], args: { limit?: number; cursor?: string; brief?: boolean }): { page: Page<Shaped>; text: string } {
  const shaped = tasks.map((t) => ({ task: t, form: undefined as Shaped | undefined }));
  const page = takePage(shaped, args, PAGE_BUDGET_BYTES, (item) => {
    item.form ??= shape(item.task, args.brief);
    return jsonSize(item.form) + briefLine(item.task).length + 2;
  });
  const items = page.items.map((item) => item.form ?? shape(item.task, args.brief));
  const lines = page.items.map((item) => briefLine(item.task));
  return { page: { ...page, items }, text: lines.join('\n') };
}

/** The note that ends a page's text when more follows. */
function pageNote(page: Page<unknown>): string {
  if (page.next_cursor === null) return page.offset === 0 ? '' : `\n(items ${page.offset + 1}–${page.offset + page.items.length} of ${page.total})`;
  return `\n… showing ${page.offset + 1}–${page.offset + page.items.length} of ${page.total}; pass cursor "${page.next_cursor}" for the next page`;
}

/** `data` safe for `JSON.stringify`: inexact numbers as text, listed in `numbers_as_text`. */
function exactData(data: Record<string, unknown>): Record<string, unknown> {
  const exact = exactStructured(data);
  return exact.numbersAsText.length === 0 ? exact.value : { ...exact.value, numbers_as_text: exact.numbersAsText };
}

/**
 * Bounds a result that could still be too large (one huge task, a huge error message), and keeps
 * its numbers exact (see the file comment).
 */
function bounded(text: string, rawData: Record<string, unknown> | undefined): CallToolResult {
  const safeText = truncateText(text, PAGE_BUDGET_BYTES, 'result cut to keep it readable');
  const content: CallToolResult['content'] = [{ type: 'text', text: safeText }];
  if (rawData === undefined) return { content };
  const data = exactData(rawData);
  const size = jsonSize(data) + safeText.length;
  if (data !== rawData) {
    // Exact numbers present: the same data as exact JSON in a second text block, when it fits.
    const json = printExactJson(rawData);
    if (size + json.length <= RESULT_BUDGET_BYTES) return { content: [...content, { type: 'text', text: json }], structuredContent: data };
  }
  if (size <= RESULT_BUDGET_BYTES) return { content, structuredContent: data };
  // Too large: a single task (a huge description or metadata) is given in brief; else only a note.
  const task = rawData.task as Task | null | undefined;
  const slim = exactData({ ...rawData, ...(task == null ? {} : { task: taskBrief(task) }), truncated: true });
  const note = 'the full result was too large to return; ask for less (limit, brief, root_id) or read the task with show_task';
  if (jsonSize(slim) + safeText.length <= RESULT_BUDGET_BYTES) return { content, structuredContent: { ...slim, note } };
  return { content, structuredContent: { truncated: true, note } };
}

/** Runs a tool body, turning task errors into tool errors with the library's message. */
async function run(body: () => Promise<ToolOutput>): Promise<CallToolResult> {
  try {
    const { text, data } = await body();
    return bounded(text, data);
  } catch (error) {
    const message = isTaskError(error) ? error.message : `error: ${error instanceof Error ? error.message : String(error)}`;
    return { ...bounded(escapeLines(message), undefined), isError: true };
  }
}

/** The bounded tree view as nested `{task, children}` nodes, with counts where parts are left out. */
interface TreeNodeOut {
  task: Shaped;
  children: TreeNodeOut[];
  more_levels?: { levels: number; tasks: number };
  more_subtasks?: { subtasks: number; tasks: number };
}

function nestRows(rows: readonly TreeRow[], brief: boolean | undefined): { tree: TreeNodeOut[]; more_roots?: { roots: number; tasks: number } } {
  const tree: TreeNodeOut[] = [];
  let moreRoots: { roots: number; tasks: number } | undefined;
  const path: TreeNodeOut[] = []; // path[d] = the last node at depth d
  for (const row of rows) {
    if (row.kind === 'task') {
      const node: TreeNodeOut = { task: brief === true ? taskBrief(row.task) : row.task, children: [] };
      if (row.depth === 0) tree.push(node);
      else path[row.depth - 1]?.children.push(node);
      path[row.depth] = node;
      path.length = row.depth + 1;
    } else if (row.kind === 'more_levels') {
      const parent = path[row.depth - 1];
      if (parent !== undefined) parent.more_levels = { levels: row.levels, tasks: row.tasks };
    } else if (row.depth === 0) {
      moreRoots = { roots: row.siblings, tasks: row.tasks };
    } else {
      const parent = path[row.depth - 1];
      if (parent !== undefined) parent.more_subtasks = { subtasks: row.siblings, tasks: row.tasks };
    }
  }
  return moreRoots === undefined ? { tree } : { tree, more_roots: moreRoots };
}

/** The original's tool names the server registers (listed per TOOL_LEVELS). */
const TASK_TOOL_NAMES = ['task', 'tasks', 'task_create', 'task_update_status', 'task_update', 'task_delete', 'task_list', 'task_get_hierarchy'] as const;
const TASK_TOOL_CUT = 'use list_tasks with limit and cursor, or task_tree, for a bounded view';

/** An MCP server exposing `manager`'s task operations as tools. Connect it to any transport. */
export function createMcpServer(manager: TaskManager, options: McpServerOptions): McpServer {
  const level = parseToolLevel(options.tools);
  const server = new McpServer({ name: 'gestura-tasks', version: packageVersion() }, { instructions: instructions(level) });
  const sessionOf = (session: string | undefined): string => session ?? options.session;
  const offered = new Set<string>(toolsAt(level));
  const registered = new Set<string>();
  // Registers every tool (so the table is checked at every level), then removes those not offered.
  const register = server.registerTool.bind(server) as (...args: unknown[]) => RegisteredTool;
  const tool = ((name: string, ...rest: unknown[]) => {
    if (!isKnownTool(name)) throw new Error(`MCP tool '${name}' is missing from TOOL_LEVELS (src/mcp/tool-levels.ts)`);
    registered.add(name);
    const handle = register(name, ...rest);
    if (!offered.has(name)) handle.remove();
    return handle;
  }) as McpServer['registerTool'];

  tool(
    'create_task',
    {
      title: 'Create task',
      description: 'Create a task, optionally under a parent, owned by an agent, or waiting for other tasks.',
      inputSchema: {
        name: z.string().describe('Task name'),
        description: z.string().optional().describe('What to do'),
        parent_id: z.string().optional().describe('Parent task id'),
        agent_id: z.string().optional().describe('Create an agent task owned by this agent'),
        blocked_by: z.array(z.string()).optional().describe('Ids of tasks this one waits for'),
        session: sessionArg,
      },
    },
    (args) =>
      run(async () => {
        const task = await createTask(manager, sessionOf(args.session), {
          name: args.name,
          description: args.description,
          parentId: args.parent_id,
          agentId: args.agent_id,
          blockedBy: args.blocked_by,
        });
        return { text: `Created ${briefLine(task)}`, data: { task } };
      }),
  );

  tool(
    'update_task',
    {
      title: 'Update task',
      description: "Change a task's name and/or description.",
      inputSchema: { task_id: taskIdArg, name: z.string().optional(), description: z.string().optional(), session: sessionArg },
      annotations: { idempotentHint: true },
    },
    (args) =>
      run(async () => {
        const task = await manager.updateTask(sessionOf(args.session), args.task_id, args.name, args.description);
        return { text: `Updated ${briefLine(task)}`, data: { task } };
      }),
  );

  tool(
    'set_task_status',
    {
      title: 'Set task status',
      description:
        'Set a task status: not_started, blocked, in_progress, completed, cancelled (also todo, doing, done). Completing is refused while dependencies or subtasks are open; parents are updated automatically. Lists every status the call changed.',
      inputSchema: {
        task_id: taskIdArg,
        status: z.string().describe('New status, e.g. completed'),
        claim_token: tokenArg.describe('Your claim token (from claim_task with lease_ms): the change is refused unless it is the live claim'),
        session: sessionArg,
      },
      annotations: { idempotentHint: true },
    },
    (args) =>
      run(async () => {
        const fence = args.claim_token === undefined ? undefined : { claimToken: args.claim_token };
        const { task, changes } = await setTaskStatus(manager, sessionOf(args.session), args.task_id, args.status, fence);
        const shown = changes.slice(0, CHANGES_SHOWN).map((c) => ({
          task_id: c.task.id,
          name: c.task.name,
          from: formatTaskStatus(c.from),
          to: formatTaskStatus(c.to),
        }));
        const lines = shown.map((c) => `${escapeText(c.name)} (${escapeText(c.task_id)}): ${c.from} → ${c.to}`);
        if (changes.length > shown.length) lines.push(`… and ${plural(changes.length - shown.length, 'more change')}`);
        const text = changes.length === 0 ? `${briefLine(task)}: unchanged` : lines.join('\n');
        const data: Record<string, unknown> = { task: shape(task, false), changes: shown };
        if (changes.length > shown.length) Object.assign(data, { changes_total: changes.length, truncated: true });
        return { text, data };
      }),
  );

  tool(
    'delete_task',
    {
      title: 'Delete task',
      description: "Delete a task (its id is also removed from other tasks' dependencies). Subtasks are kept and become roots.",
      inputSchema: { task_id: taskIdArg, session: sessionArg },
      annotations: { destructiveHint: true },
    },
    (args) =>
      run(async () => {
        const task = await manager.deleteTask(sessionOf(args.session), args.task_id);
        return { text: `Deleted ${briefLine(task)}`, data: { task } };
      }),
  );

  tool(
    'list_tasks',
    {
      title: 'List tasks',
      description: 'List the tasks of a session in pages, optionally only those with a status or of an agent.',
      inputSchema: {
        status: z.string().optional().describe('Only this status, e.g. in_progress'),
        agent_id: z.string().optional().describe('Only tasks of this agent'),
        limit: limitArg,
        cursor: cursorArg,
        brief: briefArg,
        session: sessionArg,
      },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const filter = parseTaskFilter({ status: args.status, agentId: args.agent_id });
        const tasks = filterTasks(await manager.listTasks(sessionOf(args.session)), filter);
        const { page, text } = taskPage(tasks, args);
        return {
          text: tasks.length === 0 ? 'No tasks.' : `${text}${pageNote(page)}`,
          data: { tasks: page.items, total: page.total, next_cursor: page.next_cursor },
        };
      }),
  );

  tool(
    'show_task',
    {
      title: 'Show task',
      description: 'One task in detail: status, parent, subtasks (paged, brief), dependencies, description.',
      inputSchema: { task_id: taskIdArg, limit: limitArg, cursor: cursorArg, session: sessionArg },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const { task, list, isBlocked } = await loadTaskDetails(manager, sessionOf(args.session), args.task_id);
        const { page } = taskPage(list.childrenOf(task.id), { limit: args.limit, cursor: args.cursor, brief: true });
        const text = `${renderDetails(task, list, plainStyle)}${page.next_cursor === null ? '' : `\n(subtasks: ${pageNote(page).trim()})`}`;
        return {
          text,
          data: { task, subtasks: page.items, subtasks_total: page.total, subtasks_next_cursor: page.next_cursor, is_blocked: isBlocked },
        };
      }),
  );

  tool(
    'task_tree',
    {
      title: 'Task tree',
      description:
        'The tasks of a session as a tree with status marks (○ not started, ◐ in progress, ⊘ blocked, ✓ completed, ✗ cancelled). Deep levels and long sibling lists are shown as counts; pass root_id to look inside a part.',
      inputSchema: {
        root_id: z.string().optional().describe('Show only this task and what is below it'),
        depth: z.number().int().min(1).max(100).optional().describe('Levels to show (default 10)'),
        brief: briefArg,
        session: sessionArg,
      },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const session = sessionOf(args.session);
        const list = await manager.loadTaskList(session);
        const view = treeView(list, {
          rootId: args.root_id,
          limits: { maxDepth: args.depth ?? 10, maxChildren: 50, maxRows: 400, maxBytes: PAGE_BUDGET_BYTES },
          cost: (task) => jsonSize(args.brief === true ? taskBrief(task) : task) + 80 + task.name.length,
        });
        const hint = (id: string): string => `use root_id "${id}"`;
        const text =
          view.total === 0 ? `No tasks in session '${escapeText(session)}'.` : `${renderTreeView(view, list, plainStyle, hint)}\n${summary(list.tasks)}`;
        const nested = nestRows(view.rows, args.brief);
        const data: Record<string, unknown> = { ...nested, current_task_id: list.currentTaskId(), total: view.total, shown: view.shown };
        if (view.truncated) Object.assign(data, { truncated: true, not_shown: view.cutOff });
        return { text, data };
      }),
  );

  tool(
    'add_dependency',
    {
      title: 'Add dependency',
      description: 'Make task_id wait for blocker_id (it cannot be completed before the blocker is completed or cancelled).',
      inputSchema: { task_id: taskIdArg, blocker_id: z.string().min(1).describe('Id of the task to wait for'), session: sessionArg },
      annotations: { idempotentHint: true },
    },
    (args) =>
      run(async () => {
        const added = await manager.addTaskDependency(sessionOf(args.session), args.task_id, args.blocker_id);
        const [t, b] = [escapeText(args.task_id), escapeText(args.blocker_id)];
        return { text: added ? `${t} now waits for ${b}` : `${t} already waits for ${b}`, data: { added } };
      }),
  );

  tool(
    'ready_tasks',
    {
      title: 'Ready tasks',
      description: 'Tasks that can start now (open, not waiting for open dependencies, no open subtasks), by priority then age; in pages.',
      inputSchema: { limit: limitArg, cursor: cursorArg, brief: briefArg, session: sessionArg },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const ready = await readyTasks(manager, sessionOf(args.session));
        const { page, text } = taskPage(ready, args);
        return {
          text: ready.length === 0 ? 'No ready tasks.' : `${text}${pageNote(page)}`,
          data: { tasks: page.items, total: page.total, next_cursor: page.next_cursor },
        };
      }),
  );

  tool(
    'claim_task',
    {
      title: 'Claim next task',
      description:
        'Atomically take the first ready task (or task_id) for an agent: it becomes in_progress with that agent id. No two callers ever get the same task. With lease_ms the claim is leased: it returns a claim_token to pass to set_task_status, record_evidence, renew_claim and release_claim, and the task is ready again if the lease runs out unrenewed.',
      inputSchema: {
        agent_id: z.string().min(1).describe('Your agent id'),
        task_id: z.string().min(1).optional().describe('Claim this task instead of the first ready one'),
        lease_ms: leaseArg.describe('Lease length in milliseconds (e.g. 300000 for 5 minutes); omit for a claim without lease'),
        session: sessionArg,
      },
    },
    (args) =>
      run(async () => {
        const result = await claimFor(manager, sessionOf(args.session), args.agent_id, { taskId: args.task_id, leaseMs: args.lease_ms });
        const task = result.task;
        return { text: task === null ? 'Nothing ready to claim.' : `Claimed ${briefLine(task)}${claimLine(task)}`, data: claimData(result) };
      }),
  );

  tool(
    'renew_claim',
    {
      title: 'Renew claim',
      description: 'Extend your leased claim of a task by lease_ms from now (default: the lease it was taken with). Refused once the claim is lost.',
      inputSchema: {
        task_id: taskIdArg,
        claim_token: z.number().int().min(1).describe('Your claim token'),
        lease_ms: leaseArg.describe('New lease length in milliseconds from now'),
        session: sessionArg,
      },
    },
    (args) =>
      run(async () => {
        const result = await renewFor(manager, sessionOf(args.session), args.task_id, args.claim_token, args.lease_ms);
        return { text: `Renewed ${briefLine(result.task)}${claimLine(result.task)}`, data: claimData(result) };
      }),
  );

  tool(
    'release_claim',
    {
      title: 'Release claim',
      description: 'Give a leased task back (not_started, no agent) while your claim still holds.',
      inputSchema: { task_id: taskIdArg, claim_token: z.number().int().min(1).describe('Your claim token'), session: sessionArg },
    },
    (args) =>
      run(async () => {
        const task = await releaseFor(manager, sessionOf(args.session), args.task_id, args.claim_token);
        return { text: `Released ${briefLine(task)}`, data: { task } };
      }),
  );

  tool(
    'record_evidence',
    {
      title: 'Record evidence',
      description:
        "Record execution evidence on a task (a tool run, a build, a test, a mutation, …) in its execution state. Identical recent evidence is ignored. Reports whether the task's verification profile is now satisfied.",
      inputSchema: {
        task_id: taskIdArg,
        kind: TaskExecutionEvidenceKindSchema.describe('tool_activity, diagnostic, contradiction, blocker, mutation, build, test or artifact'),
        summary: z.string().describe('What happened'),
        tool_name: z.string().optional(),
        command: z.string().optional(),
        success: z.boolean().optional().describe('Default true'),
        claim_token: tokenArg.describe('Your claim token: the evidence is refused unless it is the live claim'),
        session: sessionArg,
      },
    },
    (args) =>
      run(async () => {
        let recorded = false;
        const fence = args.claim_token === undefined ? undefined : { claimToken: args.claim_token };
        const state = await manager.updateExecutionState(
          sessionOf(args.session),
          args.task_id,
          (s) => {
            recorded = recordEvidence(s, newExecutionEvidence(args.kind, args.summary, args.tool_name, args.command, args.success ?? true));
          },
          fence,
        );
        const satisfied = satisfiesProfile(state);
        const text = `${recorded ? 'Recorded' : 'Already recorded'} ${args.kind} evidence on ${escapeText(args.task_id)}; profile ${satisfied ? 'satisfied' : 'not yet satisfied'}`;
        return { text, data: { recorded, satisfies_profile: satisfied, execution_state: state } };
      }),
  );

  tool(
    'task_history',
    {
      title: 'Task history',
      description:
        'Who changed what and when, newest first: statuses (from → to), creations, deletions, renames, dependencies, evidence, and claims taken / renewed / released / expired, each with its actor. The whole session, or one task with task_id.',
      inputSchema: {
        task_id: z.string().min(1).optional().describe('Only the history of this task'),
        since: z.string().optional().describe('Only entries at or after this time: RFC 3339, or a duration back from now (10m, 2h, 1d)'),
        limit: z.number().int().min(1).max(HISTORY_LIMIT_MAX).optional().describe(`At most this many entries (default ${DEFAULT_HISTORY_LIMIT})`),
        session: sessionArg,
      },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const since = args.since === undefined ? undefined : parseSince(args.since);
        const page = await readHistoryPage(manager, sessionOf(args.session), { taskId: args.task_id, since, limit: args.limit });
        // Entries are small, but a page of long names or summaries is still cut to the budget.
        const fitted = takePage(page.entries, {}, PAGE_BUDGET_BYTES, (e) => 2 * jsonSize(e));
        const shown = { entries: fitted.items, more: page.more || fitted.next_cursor !== null };
        return { text: renderHistory(shown, args.task_id === undefined), data: shown };
      }),
  );

  tool(
    'import_plan',
    {
      title: 'Import plan',
      description:
        'Create tasks from a planner breakdown: a JSON array of {name, description, priority, is_blocking, parent_name?} (as text, possibly wrapped in prose, or as an array). Existing tasks with the same name under the same parent are reused. dry_run shows what would happen without writing. Large results list the tasks briefly and count the rest.',
      inputSchema: {
        // The spec shape is the library's own schema; importPlan checks both forms by one path.
        plan: z.union([z.string(), z.array(RequirementBreakdownTaskSpecSchema)]).describe('The planner reply text or the array of task specs'),
        parent_id: z.string().optional().describe('Create the plan under this task'),
        dry_run: z.boolean().optional(),
        session: sessionArg,
      },
    },
    (args) =>
      run(async () => {
        const result = await importPlan(manager, sessionOf(args.session), args.plan, { parentId: args.parent_id, dryRun: args.dry_run });
        const text = renderPlanImport(result, 200);
        const full = { dry_run: result.dry_run, created: result.created, reused: result.reused, root_task_ids: result.root_task_ids };
        if (jsonSize(full) <= PAGE_BUDGET_BYTES) return { text, data: full };
        // Too large in full: brief forms, as many as fit, and the counts.
        const created = takePage(result.created.map(taskBrief), {}, PAGE_BUDGET_BYTES / 2, jsonSize);
        const reused = takePage(result.reused.map(taskBrief), {}, PAGE_BUDGET_BYTES / 4, jsonSize);
        const roots = takePage(result.root_task_ids, {}, PAGE_BUDGET_BYTES / 8, jsonSize);
        return {
          text,
          data: {
            dry_run: result.dry_run,
            created: created.items,
            reused: reused.items,
            root_task_ids: roots.items,
            created_total: result.created.length,
            reused_total: result.reused.length,
            root_task_ids_total: result.root_task_ids.length,
            truncated: true,
            note: 'tasks are listed briefly and cut to keep the result readable; use list_tasks or task_tree to see them all',
          },
        };
      }),
  );

  // The original's `task` tool and its aliases: the exact texts of the original, lenient reading
  // of sloppy arguments, and the loop breaker (src/agent). Their text is bounded like every result,
  // and its terminal controls (ESC, BEL, CR, C1, bidi overrides) are escaped like every MCP text;
  // its lines stay lines (those texts put names and descriptions inside their own line layout).
  const taskTools = taskToolsForMcp(manager, { sessionId: options.session, names: TASK_TOOL_NAMES });
  for (const t of taskTools) {
    tool(t.name, { description: t.description, inputSchema: t.zodInputSchema }, async (args) => {
      const result = await t.handler(args);
      const content = result.content.map((c) => ({ ...c, text: truncateText(escapeLines(c.text), PAGE_BUDGET_BYTES, TASK_TOOL_CUT) }));
      return { ...result, content };
    });
  }
  const missing = Object.keys(TOOL_LEVELS).filter((name) => !registered.has(name));
  if (missing.length > 0) throw new Error(`TOOL_LEVELS names tools the server does not have: ${missing.join(', ')}`);

  registerResumePrompt(server, manager, options.session);
  registerSessionResources(server, manager);
  return server;
}

/**
 * Serves `manager` over stdio until the client disconnects (stdin ends or the transport closes).
 * Writes only protocol messages to `stdout`. A message larger than `maxMessageBytes` is answered
 * with an error, and the server keeps serving.
 */
export async function runMcpServer(options: {
  manager: TaskManager;
  session: string;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  maxMessageBytes?: number;
  tools?: ToolLevel;
}): Promise<void> {
  const server = createMcpServer(options.manager, { session: options.session, tools: options.tools });
  const stdin = (options.stdin ?? process.stdin) as Readable;
  const transport = new BoundedStdioServerTransport(stdin, (options.stdout ?? process.stdout) as Writable, {
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  });
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  stdin.once('end', () => void server.close());
  await server.connect(transport);
  await closed;
}
