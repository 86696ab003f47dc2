/**
 * The `gestura-tasks` command line. `runCli` takes its streams, environment and working directory
 * as arguments, so tests can run it in-process; `main.ts` wires it to the real process.
 *
 * Start-up is paid on every call (agents run the CLI once per action), so this file loads only
 * commander: each command's implementation (src/cli/commands/<name>.ts, and through it the
 * library and the application layer in src/app) is imported when that command runs. To add a
 * command, define it in {@link defineCommands} with `lazy(() => import('./commands/<name>.js'))`.
 *
 * Exit codes: 0 success, 1 a task error (its message on stderr) or another failure, 2 bad usage.
 */
import { Command, CommanderError } from 'commander';
import { escapeLines } from '../app/escape.js';
import { packageVersion } from '../app/version.js';
import type { Context } from './context.js';
import { DEFAULT_SESSION, type CliIo, type GlobalOptions } from './io.js';
import { UsageError } from './usage.js';

export { DEFAULT_SESSION, type CliIo, type CliOutput } from './io.js';

/** A command implementation: the context, then commander's positional arguments and options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CommandRun = (ctx: Context, ...args: any[]) => Promise<void>;

/** Builds the commands on `program`; `lazy` turns a module loader into an action. */
function defineCommands(
  program: Command,
  lazy: (load: () => Promise<{ default: CommandRun }>, openStore?: boolean) => (...args: unknown[]) => Promise<void>,
): void {
  program
    .command('tree')
    .description('show the tasks as a tree with status marks; deep levels and long lists are counted, not printed')
    .option('-r, --root <id>', 'show only this task and what is below it')
    .option('--depth <n>', 'levels to show (default 30)')
    .option('--width <n>', 'subtasks to show per task (default 100)')
    .option('--rows <n>', 'lines to show in all (default 2000)')
    .option('--all', 'show everything (can be very long)')
    .action(lazy(() => import('./commands/tree.js')));

  program
    .command('list')
    .description('list tasks in list order')
    .option('--status <status>', 'only tasks with this status (e.g. in_progress, done)')
    .option('--agent <id>', 'only tasks of this agent')
    .action(lazy(() => import('./commands/list.js')));

  program
    .command('show')
    .description('show one task in detail')
    .argument('<id>', 'task id')
    .action(lazy(() => import('./commands/show.js')));

  program
    .command('add')
    .description('create a task')
    .argument('<name>', 'task name')
    .option('-m, --description <text>', 'description', '')
    .option('-p, --parent <id>', 'parent task id')
    .option('--agent <id>', 'create an agent task owned by this agent id')
    .option('--blocked-by <ids...>', 'ids of tasks this one waits for')
    .action(lazy(() => import('./commands/add.js')));

  program
    .command('status')
    .description('set a task status (not_started, blocked, in_progress, completed, cancelled; also todo, doing, done, …)')
    .argument('<id>', 'task id')
    .argument('<status>', 'new status')
    .option('--token <n>', 'fence the change with your claim token: refused unless it is the live claim')
    .action(lazy(() => import('./commands/status.js')));

  program
    .command('dep')
    .description('make a task wait for another (<task> is blocked by <blocker>)')
    .argument('<task>', 'the task that waits')
    .argument('<blocker>', 'the task it waits for')
    .action(lazy(() => import('./commands/dep.js')));

  program
    .command('ready')
    .description('tasks that can start now: open, unblocked, no open subtasks; by sort order, then age')
    .option('-n, --limit <n>', 'at most n tasks')
    .action(lazy(() => import('./commands/ready.js')));

  program
    .command('claim')
    .description('claim <task> or the first ready task for an agent (sets it in_progress); prints nothing-ready when empty')
    .argument('[task]', 'the task to claim (default: the first ready one)')
    .requiredOption('-a, --agent <id>', 'agent id to claim for')
    .option('--lease <duration>', 'lease the claim (30s, 5m, 1h, or milliseconds) and print its fencing token')
    .action(lazy(() => import('./commands/claim.js')));

  program
    .command('renew')
    .description('extend your leased claim of a task (by --lease, default the lease it was taken with)')
    .argument('<task>', 'task id')
    .requiredOption('--token <n>', 'your claim token')
    .option('--lease <duration>', 'new lease from now (30s, 5m, 1h, or milliseconds)')
    .action(lazy(() => import('./commands/renew.js')));

  program
    .command('release')
    .description('give a leased task back (not_started, no agent) while your claim still holds')
    .argument('<task>', 'task id')
    .requiredOption('--token <n>', 'your claim token')
    .action(lazy(() => import('./commands/release.js')));

  program
    .command('history')
    .description('who changed what, newest first: the whole session, or one task with <task>')
    .argument('[task]', 'only the history of this task')
    .option('--since <time>', 'only entries at or after this time (RFC 3339, or a duration back from now: 10m, 2h, 1d)')
    .option('-n, --limit <n>', 'at most n entries (default 50)')
    .action(lazy(() => import('./commands/history.js')));

  program
    .command('current')
    .description('show the current task, or set it with <id> (clear with --clear)')
    .argument('[id]', 'task id to make current')
    .option('--clear', 'clear the current task')
    .action(lazy(() => import('./commands/current.js')));

  program
    .command('import')
    .description('create tasks from a planner reply (a JSON array of task specs) in a file or on stdin')
    .argument('[file]', "file with the planner reply; '-' or none for stdin")
    .option('-p, --parent <id>', 'create the plan under this task')
    .option('--dry-run', 'show what would be created and what reused, write nothing')
    .action(lazy(() => import('./commands/import.js')));

  program
    .command('export')
    .description('print the session file exactly as stored (the Rust-compatible JSON form)')
    .option('-o, --output <file>', 'write it to this file instead (atomically: temporary file, fsync, rename)')
    .action(lazy(() => import('./commands/export.js')));

  program
    .command('sessions')
    .description('list the sessions of the store (--dir or --database-url)')
    .action(lazy(() => import('./commands/sessions.js')));

  program
    .command('copy')
    .description('copy sessions between stores (directories and PostgreSQL URLs), byte for byte; --session copies one')
    .requiredOption('--from <dir|url>', 'the store to copy from: a directory or a postgres:// URL')
    .requiredOption('--to <dir|url>', 'the store to copy to: a directory or a postgres:// URL')
    .option('--force', 'overwrite sessions that already exist in --to (otherwise the copy is refused, nothing written)')
    .action(lazy(() => import('./commands/copy.js'), false));

  program
    .command('watch')
    .description('print changes to the session as they happen (any process); Ctrl-C to stop')
    .option('--interval <ms>', 'poll interval in milliseconds (a directory; a database URL is watched live, without polling)', '250')
    .action(lazy(() => import('./commands/watch.js')));

  program
    .command('mcp')
    .description('run the MCP server on stdio (for agents); tools default to --session')
    .option('--tools <level>', 'how many tools to list: core (7, with the task tool), standard (16) or all (23, with the task aliases)', 'standard')
    .action(lazy(() => import('./commands/mcp.js')));

  program
    .command('serve')
    .description('serve a live web dashboard of every session under --dir (read-only unless --allow-writes)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', (v: string) => (v.trim() === '' ? NaN : Number(v)), 4477)
    .option('--allow-writes', 'let the page change statuses, add and claim tasks (with the printed token)')
    .option('--allow-remote-writes', 'allow --allow-writes on a host other machines can reach')
    .action(lazy(() => import('./commands/serve.js')));
}

/** Builds a fresh program writing to `io`. */
function buildProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('gestura-tasks')
    .description('Inspect and drive gestura task lists (<dir>/.gestura/tasks/<session>.json, or in PostgreSQL with --database-url).')
    .version(packageVersion(), '-V, --version')
    .option('-d, --dir <path>', 'base directory holding .gestura/tasks (default: current directory)')
    .option('--database-url <url>', 'keep tasks in PostgreSQL instead (postgres://user:password@host/db[#schema]; default: $GESTURA_TASKS_DATABASE_URL)')
    .option('-s, --session <id>', `session id (default: $GESTURA_SESSION or "${DEFAULT_SESSION}")`)
    .option('--json', 'machine-readable JSON output')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      // Commander repeats what the user typed in its errors: escape it like any other output.
      writeErr: (s) => io.stderr.write(escapeLines(s)),
    });

  defineCommands(program, (load, openStore = true) => async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const [{ makeContext }, { default: run }] = await Promise.all([import('./context.js'), load()]);
    const ctx = await makeContext(command.optsWithGlobals<GlobalOptions>(), io, command.name(), openStore);
    try {
      await run(ctx, ...args.slice(0, -1));
    } finally {
      // Everything the command did is committed; a failure to close the pool changes nothing.
      await ctx.close().catch(() => undefined);
    }
  });
  return program;
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
      io.stderr.write(`error: ${escapeLines(error.message)}\n`);
      return 2;
    }
    const { isTaskError } = await import('../index.js');
    if (isTaskError(error)) {
      io.stderr.write(`${escapeLines(error.message)}\n`);
      return 1;
    }
    io.stderr.write(`error: ${escapeLines(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  }
}
