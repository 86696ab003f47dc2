/** `claim --agent <id>`: take the first ready task for an agent. */
import { escapeText } from '../../app/escape.js';
import type { Context } from '../context.js';

export default async function claim(ctx: Context, opts: { agent: string }): Promise<void> {
  const task = await ctx.manager.claimNextTask(ctx.session, opts.agent);
  if (ctx.json) return ctx.data(task);
  ctx.out(task === null ? 'Nothing ready to claim.' : `Claimed ${escapeText(task.id)}  ${escapeText(task.name)}`);
}
