/**
 * The MCP server: the task manager as tools for agents, over stdio. Built on the public API.
 *
 * Every tool takes an optional `session` (default: the server's session) and returns a concise
 * text result plus `structuredContent`. Task errors come back as tool errors (`isError`) carrying
 * the library's message, so agents can read and correct them. Nothing but protocol is written to
 * stdout.
 */
import type { Readable, Writable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  formatTaskStatus,
  isTaskError,
  newExecutionEvidence,
  parseTaskStatus,
  recordEvidence,
  satisfiesProfile,
  TaskExecutionEvidenceKindSchema,
  TaskNotFoundError,
  type Task,
  type TaskManager,
} from '../index.js';
import { importPlan, renderPlanImport } from '../cli/plan.js';
import { plainStyle, renderDetails, renderTable, renderTree, summary, STATUS_MARK } from '../cli/render.js';
import { packageVersion } from '../cli/version.js';

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** The session tools use when a call gives none. */
  readonly session: string;
}

const INSTRUCTIONS = `Task lists for agents (gestura-tasks). Each session holds a tree of tasks with statuses
not_started, blocked, in_progress, completed, cancelled and "waits for" dependencies.
Typical loop: ready_tasks or claim_task (atomically takes the next ready task for your agent id),
work on it, record_evidence as you go, then set_task_status to completed (refused while subtasks
or dependencies are open). Use import_plan to turn a planner's JSON array of task specs into tasks
(existing tasks with the same name are reused), task_tree to see everything.`;

const sessionArg = z.string().optional().describe("Session id (default: the server's session)");
const taskIdArg = z.string().min(1).describe('Task id');

interface ToolOutput {
  readonly text: string;
  readonly data: Record<string, unknown>;
}

function line(task: Task): string {
  return `${STATUS_MARK[task.status]} ${task.name} (${task.id}) [${formatTaskStatus(task.status)}]`;
}

/** Runs a tool body, turning task errors into tool errors with the library's message. */
async function run(body: () => Promise<ToolOutput>): Promise<CallToolResult> {
  try {
    const { text, data } = await body();
    return { content: [{ type: 'text', text }], structuredContent: data };
  } catch (error) {
    const message = isTaskError(error) ? error.message : `error: ${error instanceof Error ? error.message : String(error)}`;
    return { content: [{ type: 'text', text: message }], isError: true };
  }
}

/** An MCP server exposing `manager`'s task operations as tools. Connect it to any transport. */
export function createMcpServer(manager: TaskManager, options: McpServerOptions): McpServer {
  const server = new McpServer({ name: 'gestura-tasks', version: packageVersion() }, { instructions: INSTRUCTIONS });
  const sessionOf = (session: string | undefined): string => session ?? options.session;

  server.registerTool(
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
        const task = await manager.batch(sessionOf(args.session), (tx) => {
          const created =
            args.agent_id === undefined
              ? tx.createTask(args.name, args.description ?? '', args.parent_id)
              : tx.createAgentTask(args.name, args.description ?? '', args.agent_id, args.parent_id);
          for (const blocker of args.blocked_by ?? []) tx.addTaskDependency(created.id, blocker);
          return tx.getTask(created.id) as Task;
        });
        return { text: `Created ${line(task)}`, data: { task } };
      }),
  );

  server.registerTool(
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
        return { text: `Updated ${line(task)}`, data: { task } };
      }),
  );

  server.registerTool(
    'set_task_status',
    {
      title: 'Set task status',
      description:
        'Set a task status: not_started, blocked, in_progress, completed, cancelled (also todo, doing, done). Completing is refused while dependencies or subtasks are open; parents are updated automatically.',
      inputSchema: { task_id: taskIdArg, status: z.string().describe('New status, e.g. completed'), session: sessionArg },
      annotations: { idempotentHint: true },
    },
    (args) =>
      run(async () => {
        const status = parseTaskStatus(args.status);
        // One commit; the statuses before and after it give every change it made (ancestors too).
        const { task, changes } = await manager.batch(sessionOf(args.session), (tx) => {
          const before = new Map(tx.listTasks().map((t) => [t.id, t.status]));
          const updated = tx.updateTaskStatus(args.task_id, status);
          const changed = tx
            .listTasks()
            .filter((t) => before.has(t.id) && before.get(t.id) !== t.status)
            .map((t) => ({ task_id: t.id, name: t.name, from: formatTaskStatus(before.get(t.id)!), to: formatTaskStatus(t.status) }));
          return { task: updated, changes: changed };
        });
        const text =
          changes.length === 0
            ? `${line(task)}: unchanged`
            : changes.map((c) => `${c.name} (${c.task_id}): ${c.from} → ${c.to}`).join('\n');
        return { text, data: { task, changes } };
      }),
  );

  server.registerTool(
    'delete_task',
    {
      title: 'Delete task',
      description: 'Delete a task (its id is also removed from other tasks\' dependencies). Subtasks are kept and become roots.',
      inputSchema: { task_id: taskIdArg, session: sessionArg },
      annotations: { destructiveHint: true },
    },
    (args) =>
      run(async () => {
        const task = await manager.deleteTask(sessionOf(args.session), args.task_id);
        return { text: `Deleted ${line(task)}`, data: { task } };
      }),
  );

  server.registerTool(
    'list_tasks',
    {
      title: 'List tasks',
      description: 'List the tasks of a session, optionally only those with a status or of an agent.',
      inputSchema: {
        status: z.string().optional().describe('Only this status, e.g. in_progress'),
        agent_id: z.string().optional().describe('Only tasks of this agent'),
        session: sessionArg,
      },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const status = args.status === undefined ? undefined : parseTaskStatus(args.status);
        let tasks = await manager.listTasks(sessionOf(args.session));
        if (status !== undefined) tasks = tasks.filter((t) => t.status === status);
        if (args.agent_id !== undefined) tasks = tasks.filter((t) => t.agent_id === args.agent_id);
        return { text: tasks.length === 0 ? 'No tasks.' : renderTable(tasks, plainStyle), data: { tasks } };
      }),
  );

  server.registerTool(
    'show_task',
    {
      title: 'Show task',
      description: 'One task in detail: status, parent, subtasks, dependencies, description.',
      inputSchema: { task_id: taskIdArg, session: sessionArg },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const list = await manager.loadTaskList(sessionOf(args.session));
        const task = list.findTask(args.task_id);
        if (task === null) throw new TaskNotFoundError(args.task_id);
        const subtasks = list.subtasks(task.id);
        return { text: renderDetails(task, list, plainStyle), data: { task, subtasks, is_blocked: list.isTaskBlocked(task.id) } };
      }),
  );

  server.registerTool(
    'task_tree',
    {
      title: 'Task tree',
      description: 'All tasks of a session as a tree with status marks (○ not started, ◐ in progress, ⊘ blocked, ✓ completed, ✗ cancelled).',
      inputSchema: { session: sessionArg },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const session = sessionOf(args.session);
        const list = await manager.loadTaskList(session);
        const tree = list.buildTree();
        const text = tree.length === 0 ? `No tasks in session '${session}'.` : `${renderTree(tree, list, plainStyle)}\n${summary(list.tasks)}`;
        return { text, data: { tree, current_task_id: list.currentTaskId() } };
      }),
  );

  server.registerTool(
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
        const text = added ? `${args.task_id} now waits for ${args.blocker_id}` : `${args.task_id} already waits for ${args.blocker_id}`;
        return { text, data: { added } };
      }),
  );

  server.registerTool(
    'ready_tasks',
    {
      title: 'Ready tasks',
      description: 'Tasks that can start now (open, not waiting for open dependencies, no open subtasks), by priority then age.',
      inputSchema: { limit: z.number().int().min(1).optional().describe('At most this many'), session: sessionArg },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const ready = await manager.readyTasks(sessionOf(args.session));
        const tasks = args.limit === undefined ? ready : ready.slice(0, args.limit);
        return { text: tasks.length === 0 ? 'No ready tasks.' : tasks.map(line).join('\n'), data: { tasks } };
      }),
  );

  server.registerTool(
    'claim_task',
    {
      title: 'Claim next task',
      description: 'Atomically take the first ready task for an agent: it becomes in_progress with that agent id. No two callers ever get the same task.',
      inputSchema: { agent_id: z.string().min(1).describe('Your agent id'), session: sessionArg },
    },
    (args) =>
      run(async () => {
        const task = await manager.claimNextTask(sessionOf(args.session), args.agent_id);
        return { text: task === null ? 'Nothing ready to claim.' : `Claimed ${line(task)}`, data: { task } };
      }),
  );

  server.registerTool(
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
        session: sessionArg,
      },
    },
    (args) =>
      run(async () => {
        let recorded = false;
        const state = await manager.updateExecutionState(sessionOf(args.session), args.task_id, (s) => {
          recorded = recordEvidence(s, newExecutionEvidence(args.kind, args.summary, args.tool_name, args.command, args.success ?? true));
        });
        const satisfied = satisfiesProfile(state);
        const text = `${recorded ? 'Recorded' : 'Already recorded'} ${args.kind} evidence on ${args.task_id}; profile ${satisfied ? 'satisfied' : 'not yet satisfied'}`;
        return { text, data: { recorded, satisfies_profile: satisfied, execution_state: state } };
      }),
  );

  const specShape = z.object({
    name: z.string(),
    description: z.string(),
    priority: z.string(),
    is_blocking: z.boolean(),
    parent_name: z.string().nullable().optional(),
  });
  server.registerTool(
    'import_plan',
    {
      title: 'Import plan',
      description:
        'Create tasks from a planner breakdown: a JSON array of {name, description, priority, is_blocking, parent_name?} (as text, possibly wrapped in prose, or as an array). Existing tasks with the same name under the same parent are reused. dry_run shows what would happen without writing.',
      inputSchema: {
        plan: z.union([z.string(), z.array(specShape)]).describe('The planner reply text or the array of task specs'),
        parent_id: z.string().optional().describe('Create the plan under this task'),
        dry_run: z.boolean().optional(),
        session: sessionArg,
      },
    },
    (args) =>
      run(async () => {
        const text = typeof args.plan === 'string' ? args.plan : JSON.stringify(args.plan);
        const result = await importPlan(manager, sessionOf(args.session), text, { parentId: args.parent_id, dryRun: args.dry_run });
        return { text: renderPlanImport(result), data: { ...result } };
      }),
  );

  return server;
}

/**
 * Serves `manager` over stdio until the client disconnects (stdin ends or the transport closes).
 * Writes only protocol messages to `stdout`.
 */
export async function runMcpServer(options: {
  manager: TaskManager;
  session: string;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}): Promise<void> {
  const server = createMcpServer(options.manager, { session: options.session });
  const stdin = (options.stdin ?? process.stdin) as Readable;
  const transport = new StdioServerTransport(stdin, (options.stdout ?? process.stdout) as Writable);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  stdin.once('end', () => void server.close());
  await server.connect(transport);
  await closed;
}
