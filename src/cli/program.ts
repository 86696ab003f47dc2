/**
 * The `gestura-tasks` command line. Built on the public API only. `runCli` takes its streams,
 * environment and working directory as arguments, so tests can run it in-process; `main.ts` wires
 * it to the real process.
 *
 * Exit codes: 0 success, 1 a task error (its message on stderr) or another failure, 2 bad usage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import {
  encodeTaskList,
  formatTaskStatus,
  isTaskError,
  TaskIoError,
  TaskManager,
  TaskNotFoundError,
  parseTaskStatus,
  watchSession,
  type Task,
  type TaskChangeEvent,
  type TaskStatus,
} from '../index.js';
import { importPlan, renderPlanImport } from './plan.js';
import { describeEvent, pickStyle, renderDetails, renderTable, renderTree, summary, type Style } from './render.js';
import { packageVersion } from './version.js';

/** A writable text stream (process.stdout or a test double). */
export interface CliOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** What the CLI needs from its process. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Read by `import` without a file, and by `mcp`. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** The raw stdout stream for the MCP server (defaults to process.stdout). */
  readonly stdoutStream?: NodeJS.WritableStream;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

/** Default session when neither `--session` nor `GESTURA_SESSION` is given. */
export const DEFAULT_SESSION = 'default';

/** Bad usage detected after parsing (exit code 2). */
class UsageError extends Error {}

interface GlobalOptions {
  dir?: string;
  session?: string;
  json?: boolean;
}

interface Context {
  readonly manager: TaskManager;
  readonly session: string;
  readonly json: boolean;
  readonly style: Style;
  out(text: string): void;
  data(value: unknown): void;
}

/** Prints tasks as JSON or as a table (`empty` when there are none). */
function printTasks(ctx: Context, tasks: Task[], empty: string): void {
  if (ctx.json) return ctx.data(tasks);
  if (tasks.length === 0) return ctx.out(empty);
  ctx.out(renderTable(tasks, ctx.style));
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer.');
  return n;
}

function parseStatusOption(value: string): TaskStatus {
  try {
    return parseTaskStatus(value);
  } catch (error) {
    throw new InvalidArgumentError(isTaskError(error) ? error.message : String(error));
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Builds a fresh program writing to `io`. */
function buildProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('gestura-tasks')
    .description('Inspect and drive gestura task lists (<dir>/.gestura/tasks/<session>.json).')
    .version(packageVersion(), '-V, --version')
    .option('-d, --dir <path>', 'base directory holding .gestura/tasks (default: current directory)')
    .option('-s, --session <id>', `session id (default: $GESTURA_SESSION or "${DEFAULT_SESSION}")`)
    .option('--json', 'machine-readable JSON output')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  const context = (command: Command): Context => {
    const opts = command.optsWithGlobals<GlobalOptions>();
    const dir = path.resolve(io.cwd, opts.dir ?? '.');
    const session = opts.session ?? io.env.GESTURA_SESSION ?? DEFAULT_SESSION;
    const json = opts.json === true;
    return {
      manager: new TaskManager(dir),
      session,
      json,
      style: pickStyle(io.stdout.isTTY, io.env),
      out: (text) => io.stdout.write(`${text}\n`),
      data: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    };
  };

  /** Registers an action that gets the context, then its positional arguments and options. */
  const action =
    <A extends unknown[]>(fn: (ctx: Context, ...args: A) => Promise<void>) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      await fn(context(command), ...(args.slice(0, -1) as A));
    };

  program
    .command('tree')
    .description('show the tasks as a tree with status marks')
    .action(
      action(async (ctx) => {
        const list = await ctx.manager.loadTaskList(ctx.session);
        const tree = list.buildTree();
        if (ctx.json) return ctx.data(tree);
        if (tree.length === 0) return ctx.out(`No tasks in session '${ctx.session}'.`);
        ctx.out(renderTree(tree, list, ctx.style));
        ctx.out(ctx.style.dim(summary(list.tasks)));
      }),
    );

  program
    .command('list')
    .description('list tasks in list order')
    .option('--status <status>', 'only tasks with this status (e.g. in_progress, done)', parseStatusOption)
    .option('--agent <id>', 'only tasks of this agent')
    .action(
      action(async (ctx, opts: { status?: TaskStatus; agent?: string }) => {
        let tasks = await ctx.manager.listTasks(ctx.session);
        if (opts.status !== undefined) tasks = tasks.filter((t) => t.status === opts.status);
        if (opts.agent !== undefined) tasks = tasks.filter((t) => t.agent_id === opts.agent);
        printTasks(ctx, tasks, 'No tasks.');
      }),
    );

  program
    .command('show')
    .description('show one task in detail')
    .argument('<id>', 'task id')
    .action(
      action(async (ctx, id: string) => {
        const list = await ctx.manager.loadTaskList(ctx.session);
        const task = list.findTask(id);
        if (task === null) throw new TaskNotFoundError(id);
        if (ctx.json) return ctx.data(task);
        ctx.out(renderDetails(task, list, ctx.style));
      }),
    );

  program
    .command('add')
    .description('create a task')
    .argument('<name>', 'task name')
    .option('-m, --description <text>', 'description', '')
    .option('-p, --parent <id>', 'parent task id')
    .option('--agent <id>', 'create an agent task owned by this agent id')
    .option('--blocked-by <ids...>', 'ids of tasks this one waits for')
    .action(
      action(async (ctx, name: string, opts: { description: string; parent?: string; agent?: string; blockedBy?: string[] }) => {
        const task = await ctx.manager.batch(ctx.session, (tx) => {
          const created =
            opts.agent === undefined
              ? tx.createTask(name, opts.description, opts.parent)
              : tx.createAgentTask(name, opts.description, opts.agent, opts.parent);
          for (const blocker of opts.blockedBy ?? []) tx.addTaskDependency(created.id, blocker);
          return tx.getTask(created.id) as Task;
        });
        if (ctx.json) return ctx.data(task);
        ctx.out(`Created ${task.id}  ${task.name}`);
      }),
    );

  program
    .command('status')
    .description('set a task status (not_started, blocked, in_progress, completed, cancelled; also todo, doing, done, …)')
    .argument('<id>', 'task id')
    .argument('<status>', 'new status')
    .action(
      action(async (ctx, id: string, status: string) => {
        const changes: TaskChangeEvent[] = [];
        const listener = (event: TaskChangeEvent): void => {
          if (event.type === 'status_changed') changes.push(event);
        };
        ctx.manager.on('change', listener);
        const task = await ctx.manager.updateTaskStatus(ctx.session, id, status).finally(() => ctx.manager.off('change', listener));
        if (ctx.json) return ctx.data({ task, changes });
        if (changes.length === 0) return ctx.out(`${task.name}: already ${status.trim()}`);
        for (const change of changes) if (change.type === 'status_changed') ctx.out(describeStatusChange(change, ctx.style));
      }),
    );

  program
    .command('dep')
    .description('make a task wait for another (<task> is blocked by <blocker>)')
    .argument('<task>', 'the task that waits')
    .argument('<blocker>', 'the task it waits for')
    .action(
      action(async (ctx, taskId: string, blockerId: string) => {
        const added = await ctx.manager.addTaskDependency(ctx.session, taskId, blockerId);
        if (ctx.json) return ctx.data({ added, task_id: taskId, blocker_id: blockerId });
        ctx.out(added ? `${taskId} now waits for ${blockerId}` : `${taskId} already waits for ${blockerId}`);
      }),
    );

  program
    .command('ready')
    .description('tasks that can start now: open, unblocked, no open subtasks; by sort order, then age')
    .option('-n, --limit <n>', 'at most n tasks', parseLimit)
    .action(
      action(async (ctx, opts: { limit?: number }) => {
        const ready = await ctx.manager.readyTasks(ctx.session);
        const tasks = opts.limit === undefined ? ready : ready.slice(0, opts.limit);
        printTasks(ctx, tasks, 'No ready tasks.');
      }),
    );

  program
    .command('claim')
    .description('claim the first ready task for an agent (sets it in_progress); prints nothing-ready when empty')
    .requiredOption('-a, --agent <id>', 'agent id to claim for')
    .action(
      action(async (ctx, opts: { agent: string }) => {
        const task = await ctx.manager.claimNextTask(ctx.session, opts.agent);
        if (ctx.json) return ctx.data(task);
        ctx.out(task === null ? 'Nothing ready to claim.' : `Claimed ${task.id}  ${task.name}`);
      }),
    );

  program
    .command('current')
    .description('show the current task, or set it with <id> (clear with --clear)')
    .argument('[id]', 'task id to make current')
    .option('--clear', 'clear the current task')
    .action(
      action(async (ctx, id: string | undefined, opts: { clear?: boolean }) => {
        if (id !== undefined && opts.clear === true) throw new UsageError('give either an id or --clear, not both');
        if (id !== undefined || opts.clear === true) await ctx.manager.setCurrentTaskId(ctx.session, id ?? null);
        const list = await ctx.manager.loadTaskList(ctx.session);
        const currentId = list.currentTaskId();
        const task = currentId === null ? null : list.findTask(currentId);
        if (ctx.json) return ctx.data(task);
        ctx.out(task === null ? 'No current task.' : `${task.id}  ${task.name}`);
      }),
    );

  program
    .command('import')
    .description('create tasks from a planner reply (a JSON array of task specs) in a file or on stdin')
    .argument('[file]', "file with the planner reply; '-' or none for stdin")
    .option('-p, --parent <id>', 'create the plan under this task')
    .option('--dry-run', 'show what would be created and what reused, write nothing')
    .action(
      action(async (ctx, file: string | undefined, opts: { parent?: string; dryRun?: boolean }) => {
        let text: string;
        if (file === undefined || file === '-') {
          if (file === undefined && io.stdin.isTTY === true) throw new UsageError('no planner reply: give a file, or pipe it on stdin');
          text = await readAll(io.stdin);
        } else {
          const target = path.resolve(io.cwd, file);
          try {
            text = await readFile(target, 'utf8');
          } catch (error) {
            throw new TaskIoError(`cannot read '${target}': ${(error as Error).message}`, { cause: error, path: target });
          }
        }
        const result = await importPlan(ctx.manager, ctx.session, text, { parentId: opts.parent, dryRun: opts.dryRun });
        if (ctx.json) return ctx.data(result);
        ctx.out(renderPlanImport(result));
      }),
    );

  program
    .command('export')
    .description('print the session file exactly as stored (the Rust-compatible JSON form)')
    .action(
      action(async (ctx) => {
        ctx.out(encodeTaskList(await ctx.manager.loadTaskList(ctx.session)));
      }),
    );

  program
    .command('sessions')
    .description('list the sessions under --dir')
    .action(
      action(async (ctx) => {
        const sessions = await ctx.manager.listSessions();
        if (ctx.json) return ctx.data(sessions);
        ctx.out(sessions.length === 0 ? 'No sessions.' : sessions.join('\n'));
      }),
    );

  program
    .command('watch')
    .description('print changes to the session as they happen (any process); Ctrl-C to stop')
    .option('--interval <ms>', 'poll interval in milliseconds', parseLimit, 250)
    .action(
      action(async (ctx, opts: { interval: number }) => {
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          await watchSession(
            ctx.manager,
            ctx.session,
            (event) => (ctx.json ? io.stdout.write(`${JSON.stringify(event)}\n`) : ctx.out(describeEvent(event))),
            { intervalMs: Math.max(10, opts.interval), signal: controller.signal, onError: (e) => io.stderr.write(`${e.message}\n`) },
          );
          await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      }),
    );

  program
    .command('mcp')
    .description('run the MCP server on stdio (for agents); tools default to --session')
    .action(
      action(async (ctx) => {
        // stdout carries the protocol only: anything a dependency logs goes to stderr instead.
        console.log = console.info = console.debug = console.error;
        const { runMcpServer } = await import('../mcp/server.js');
        await runMcpServer({ manager: ctx.manager, session: ctx.session, stdin: io.stdin, stdout: io.stdoutStream ?? process.stdout });
      }),
    );

  program
    .command('serve')
    .description('serve a live web dashboard of every session under --dir (read-only unless --allow-writes)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', (v: string) => (v.trim() === '' ? NaN : Number(v)), 4477)
    .option('--allow-writes', 'let the page change statuses, add and claim tasks (with the printed token)')
    .option('--allow-remote-writes', 'allow --allow-writes on a host other machines can reach')
    .action(
      action(async (ctx, opts: { host: string; port: number; allowWrites?: boolean; allowRemoteWrites?: boolean }) => {
        const { runServeCommand, serveOptionsProblem } = await import('../dashboard/serve.js');
        const problem = serveOptionsProblem(opts);
        if (problem !== null) throw new UsageError(problem);
        await runServeCommand(ctx.manager, opts, ctx.out);
      }),
    );

  return program;
}

function describeStatusChange(change: Extract<TaskChangeEvent, { type: 'status_changed' }>, style: Style): string {
  const { from, to } = change;
  return `${style.status(to, change.task.name)}: ${formatTaskStatus(from)} → ${formatTaskStatus(to)}  ${style.dim(change.task.id)}`;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    if (isTaskError(error)) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
