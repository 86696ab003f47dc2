/**
 * Where a front end keeps its tasks: a directory (the file store, `<dir>/.gestura/tasks/`) or a
 * PostgreSQL URL (`postgres://…` or `postgresql://…`; a `#schema` fragment picks the schema, default
 * `gestura_tasks`). The CLI, the MCP server, the dashboard and `copy` open their stores here. The
 * PostgreSQL store (and the `pg` client behind it) is imported only when a URL is given, so
 * everything else starts without paying for it.
 */
import path from 'node:path';
import { InvalidInputError } from '../errors.js';
import { FileTaskStore } from '../store/file-store.js';
import type { TaskStore } from '../store/task-store.js';
import type * as Postgres from '../store/postgres/index.js';

/** An opened store and how to name it and close it. */
export interface StoreTarget {
  readonly store: TaskStore;
  /** The base directory of a file store; for a database, the working directory (unused by the store). */
  readonly baseDir: string;
  /** The store for messages: the directory, or the URL without user and password. */
  readonly where: string;
  /** Ends what the store holds open (a database pool); nothing for a directory. */
  close(): Promise<void>;
}

/** True when `target` is a PostgreSQL URL rather than a directory. */
export function isDatabaseUrl(target: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(target);
}

/** `url` without user, password and query (which may carry credentials), with its `#schema`. */
function describeUrl(url: URL, schema: string | undefined): string {
  return `${url.protocol}//${url.host}${url.pathname}#${schema ?? 'gestura_tasks'}`;
}

async function openDatabase(target: string, cwd: string, options: StoreTargetOptions): Promise<StoreTarget> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new InvalidInputError('the database URL is malformed (expected postgres://user:password@host:port/database)');
  }
  const schema = url.hash === '' ? undefined : decodeURIComponent(url.hash.slice(1));
  url.hash = '';
  const where = describeUrl(url, schema);
  let postgres: typeof Postgres;
  try {
    postgres = await import('../store/postgres/index.js');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new InvalidInputError(`${where} needs the PostgreSQL client: install the optional package pg (npm install pg@8.23)`, { cause: error });
  }
  const store = new postgres.PostgresTaskStore({ connectionString: url.href }, { ...(schema === undefined ? {} : { schema }), history: options.history === true });
  return { store, baseDir: cwd, where, close: () => store.close() };
}

/** How {@link openStoreTarget} opens a store. */
export interface StoreTargetOptions {
  /** Keep the session history (README "History"); the front ends do. Default false. */
  readonly history?: boolean;
}

/**
 * Opens `target` (a directory relative to `cwd`, or a PostgreSQL URL). Nothing is read or
 * connected yet. InvalidInput for a malformed URL or a missing `pg` package.
 */
export async function openStoreTarget(target: string, cwd: string, options: StoreTargetOptions = {}): Promise<StoreTarget> {
  if (isDatabaseUrl(target)) return openDatabase(target, cwd, options);
  const baseDir = path.resolve(cwd, target);
  return { store: new FileTaskStore(baseDir, { history: options.history === true }), baseDir, where: baseDir, close: async () => undefined };
}
