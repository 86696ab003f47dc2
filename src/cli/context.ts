/** What a command implementation works with: the manager, the session, and output helpers. */
import path from 'node:path';
import { TaskManager } from '../index.js';
import { printExactJson } from '../app/exact-numbers.js';
import { pickStyle, type Style } from '../app/style.js';
import { DEFAULT_SESSION, type CliIo, type GlobalOptions } from './io.js';

/** A command's view of the invocation. */
export interface Context {
  readonly io: CliIo;
  readonly manager: TaskManager;
  readonly session: string;
  readonly json: boolean;
  readonly style: Style;
  /** Writes a line of human-readable text (already escaped by the renderers). */
  out(text: string): void;
  /** Writes `value` as pretty JSON, numbers exactly as stored (64-bit integers are not rounded). */
  data(value: unknown): void;
}

/**
 * Who a command acts as in the session history (README "History"): `mcp` for the MCP server,
 * `dashboard` for `serve`, `cli` for every other command.
 */
export function actorOfCommand(command: string): string {
  return command === 'mcp' ? 'mcp' : command === 'serve' ? 'dashboard' : 'cli';
}

/**
 * The context for global options `opts`. The manager keeps the session history (on in every front
 * end; docs/decisions.md says why the library leaves it off by default), acting as the command's
 * front end.
 */
export function makeContext(opts: GlobalOptions, io: CliIo, command = 'cli'): Context {
  return {
    io,
    manager: new TaskManager(path.resolve(io.cwd, opts.dir ?? '.'), { history: true, actor: actorOfCommand(command) }),
    session: opts.session ?? io.env.GESTURA_SESSION ?? DEFAULT_SESSION,
    json: opts.json === true,
    style: pickStyle(io.stdout.isTTY, io.env),
    out: (text) => io.stdout.write(`${text}\n`),
    data: (value) => io.stdout.write(`${printExactJson(value)}\n`),
  };
}
