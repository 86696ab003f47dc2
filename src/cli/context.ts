/** What a command implementation works with: the manager, the session, and output helpers. */
import { TaskManager } from '../index.js';
import { printExactJson } from '../app/exact-numbers.js';
import { isDatabaseUrl, openStoreTarget, type StoreTarget } from '../app/store-target.js';
import { pickStyle, type Style } from '../app/style.js';
import { DEFAULT_SESSION, type CliIo, type GlobalOptions } from './io.js';
import { UsageError } from './usage.js';

/** The environment variable naming the database when neither --dir nor --database-url is given. */
export const DATABASE_URL_ENV = 'GESTURA_TASKS_DATABASE_URL';

/** A command's view of the invocation. */
export interface Context {
  readonly io: CliIo;
  /** The manager of the chosen store (not available to commands that open their own stores). */
  readonly manager: TaskManager;
  /** The store for messages: the base directory, or the database URL without credentials. */
  readonly where: string;
  readonly session: string;
  /** The session given with --session, if any (GESTURA_SESSION and the default not applied). */
  readonly sessionGiven: string | undefined;
  readonly json: boolean;
  readonly style: Style;
  /** Writes a line of human-readable text (already escaped by the renderers). */
  out(text: string): void;
  /** Writes `value` as pretty JSON, numbers exactly as stored (64-bit integers are not rounded). */
  data(value: unknown): void;
  /** Releases the store (a database pool); called once the command is done. */
  close(): Promise<void>;
}

/**
 * Who a command acts as in the session history (README "History"): `mcp` for the MCP server,
 * `dashboard` for `serve`, `cli` for every other command.
 */
export function actorOfCommand(command: string): string {
  return command === 'mcp' ? 'mcp' : command === 'serve' ? 'dashboard' : 'cli';
}

/**
 * The store the global options choose: `--dir`, `--database-url`, else $GESTURA_TASKS_DATABASE_URL,
 * else the working directory. An explicit `--dir` wins over the environment; `--dir` together with
 * `--database-url` is a usage error.
 */
export function storeChoice(opts: GlobalOptions, env: CliIo['env']): string {
  if (opts.dir !== undefined && opts.databaseUrl !== undefined) throw new UsageError("give either '--dir' or '--database-url', not both");
  if (opts.dir !== undefined) return opts.dir;
  const url = opts.databaseUrl ?? (env[DATABASE_URL_ENV] === '' ? undefined : env[DATABASE_URL_ENV]);
  if (url === undefined) return '.';
  if (!isDatabaseUrl(url)) {
    const source = opts.databaseUrl !== undefined ? "option '--database-url'" : DATABASE_URL_ENV;
    throw new UsageError(`${source} must be a postgres:// or postgresql:// URL (use --dir for a directory)`);
  }
  return url;
}

/**
 * The context for global options `opts`; with `openStore` false, no store is opened (e.g. `copy`).
 * The store keeps the session history (on in every front end; docs/decisions.md says why the
 * library leaves it off by default), and the manager acts as the command's front end.
 */
export async function makeContext(opts: GlobalOptions, io: CliIo, command = 'cli', openStore = true): Promise<Context> {
  const base = {
    io,
    session: opts.session ?? io.env.GESTURA_SESSION ?? DEFAULT_SESSION,
    sessionGiven: opts.session,
    json: opts.json === true,
    style: pickStyle(io.stdout.isTTY, io.env),
    out: (text: string) => void io.stdout.write(`${text}\n`),
    data: (value: unknown) => void io.stdout.write(`${printExactJson(value)}\n`),
  };
  if (!openStore) {
    return {
      ...base,
      where: '',
      get manager(): TaskManager {
        throw new Error('this command opens its own stores');
      },
      close: async () => undefined,
    };
  }
  const target: StoreTarget = await openStoreTarget(storeChoice(opts, io.env), io.cwd, { history: true });
  return { ...base, manager: new TaskManager(target.baseDir, { store: target.store, actor: actorOfCommand(command) }), where: target.where, close: () => target.close() };
}
