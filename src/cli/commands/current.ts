/** `current [id] [--clear]`: show, set or clear the current task. */
import { escapeText } from '../../app/escape.js';
import type { Context } from '../context.js';
import { UsageError } from '../usage.js';

export default async function current(ctx: Context, id: string | undefined, opts: { clear?: boolean }): Promise<void> {
  if (id !== undefined && opts.clear === true) throw new UsageError('give either an id or --clear, not both');
  if (id !== undefined || opts.clear === true) await ctx.manager.setCurrentTaskId(ctx.session, id ?? null);
  const list = await ctx.manager.loadTaskList(ctx.session);
  const currentId = list.currentTaskId();
  const task = currentId === null ? null : list.findTask(currentId);
  if (ctx.json) return ctx.data(task);
  ctx.out(task === null ? 'No current task.' : `${escapeText(task.id)}  ${escapeText(task.name)}`);
}
