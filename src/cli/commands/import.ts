/** `import [file]`: create tasks from a planner reply in a file or on stdin. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaskIoError } from '../../index.js';
import { importPlan } from '../../app/plan-import.js';
import { renderPlanImport } from '../../app/text-plan.js';
import type { Context } from '../context.js';
import { UsageError } from '../usage.js';

/** Lines of the human-readable report before the rest is only counted. */
const LINES_SHOWN = 1000;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export default async function importCommand(ctx: Context, file: string | undefined, opts: { parent?: string; dryRun?: boolean }): Promise<void> {
  const { stdin, cwd } = ctx.io;
  let text: string;
  if (file === undefined || file === '-') {
    if (file === undefined && stdin.isTTY === true) throw new UsageError('no planner reply: give a file, or pipe it on stdin');
    text = await readAll(stdin);
  } else {
    const target = path.resolve(cwd, file);
    try {
      text = await readFile(target, 'utf8');
    } catch (error) {
      throw new TaskIoError(`cannot read '${target}': ${(error as Error).message}`, { cause: error, path: target });
    }
  }
  const result = await importPlan(ctx.manager, ctx.session, text, { parentId: opts.parent, dryRun: opts.dryRun });
  if (ctx.json) return ctx.data(result);
  ctx.out(renderPlanImport(result, LINES_SHOWN));
}
