/** `renew <task> --token N [--lease 5m]`: extend a live leased claim. */
import { claimView, describeClaim, nowTimestamp, renewFor } from '../../app/claims.js';
import { escapeText } from '../../app/escape.js';
import { leaseOption, tokenOption } from '../claim-options.js';
import type { Context } from '../context.js';

export default async function renew(ctx: Context, taskId: string, opts: { token: string; lease?: string }): Promise<void> {
  const token = tokenOption(opts.token) as number;
  const { task, claim } = await renewFor(ctx.manager, ctx.session, taskId, token, leaseOption(opts.lease));
  if (ctx.json) return ctx.data({ task, claim });
  const view = claimView(task, nowTimestamp());
  ctx.out(`Renewed ${escapeText(task.id)}  ${escapeText(task.name)}${view === null ? '' : `\n${escapeText(describeClaim(view))}`}`);
}
