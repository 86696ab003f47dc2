/**
 * `export`: the session file exactly as stored, on stdout or, with `--output`, into a file the
 * user names. That file is written with write-file-atomic (temporary file, fsync, rename): a
 * path outside the tasks directory, chosen by the user, where following a symbolic link is what
 * the user asked for (docs/decisions.md explains why session files are written differently).
 */
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { encodeTaskList, TaskIoError } from '../../index.js';
import type { Context } from '../context.js';

export default async function exportCommand(ctx: Context, opts: { output?: string }): Promise<void> {
  const text = encodeTaskList(await ctx.manager.loadTaskList(ctx.session));
  if (opts.output === undefined) return ctx.out(text);
  const file = path.resolve(ctx.io.cwd, opts.output);
  try {
    await writeFileAtomic(file, text, { encoding: 'utf8', fsync: true });
  } catch (error) {
    throw new TaskIoError(`cannot write '${file}': ${(error as Error).message}`, { cause: error, path: file });
  }
}
