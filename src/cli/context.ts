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

/** The context for global options `opts`. */
export function makeContext(opts: GlobalOptions, io: CliIo): Context {
  return {
    io,
    manager: new TaskManager(path.resolve(io.cwd, opts.dir ?? '.')),
    session: opts.session ?? io.env.GESTURA_SESSION ?? DEFAULT_SESSION,
    json: opts.json === true,
    style: pickStyle(io.stdout.isTTY, io.env),
    out: (text) => io.stdout.write(`${text}\n`),
    data: (value) => io.stdout.write(`${printExactJson(value)}\n`),
  };
}
