/** `claim [<task>] --agent <id> [--lease 5m]`: take a task (the first ready one by default) for an agent. */
import { claimFor, claimView, describeClaim, nowTimestamp } from '../../app/claims.js';
import { escapeText } from '../../app/escape.js';
import { leaseOption } from '../claim-options.js';
import type { Context } from '../context.js';

export default async function claim(ctx: Context, taskId: string | undefined, opts: { agent: string; lease?: string }): Promise<void> {
  const leaseMs = leaseOption(opts.lease);
  const { task, claim } = await claimFor(ctx.manager, ctx.session, opts.agent, { taskId, leaseMs });
  // Without --lease the output is what it always was: the task (or null) alone.
  if (ctx.json) return ctx.data(leaseMs === undefined ? task : { task, claim });
  if (task === null) return ctx.out('Nothing ready to claim.');
  const view = claimView(task, nowTimestamp());
  const lease = view === null ? '' : `\n${escapeText(describeClaim(view))}`;
  ctx.out(`Claimed ${escapeText(task.id)}  ${escapeText(task.name)}${lease}`);
}
