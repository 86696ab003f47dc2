/** `release <task> --token N`: give a leased task back. */
import { releaseFor } from '../../app/claims.js';
import { escapeText } from '../../app/escape.js';
import { tokenOption } from '../claim-options.js';
import type { Context } from '../context.js';

export default async function release(ctx: Context, taskId: string, opts: { token: string }): Promise<void> {
  const task = await releaseFor(ctx.manager, ctx.session, taskId, tokenOption(opts.token) as number);
  if (ctx.json) return ctx.data({ task });
  ctx.out(`Released ${escapeText(task.id)}  ${escapeText(task.name)}`);
}
