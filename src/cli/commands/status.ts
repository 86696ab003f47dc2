/** `status <id> <status> [--token N]`: set a status (fenced by a claim token); prints every status the call changed (ancestors too). */
import { escapeText } from '../../app/escape.js';
import { setTaskStatus } from '../../app/status-change.js';
import { describeStatusChange } from '../../app/text-events.js';
import { tokenOption } from '../claim-options.js';
import type { Context } from '../context.js';

export default async function status(ctx: Context, id: string, value: string, opts: { token?: string }): Promise<void> {
  const token = tokenOption(opts.token);
  const fence = token === undefined ? undefined : { claimToken: token };
  const { task, changes } = await setTaskStatus(ctx.manager, ctx.session, id, value, fence);
  if (ctx.json) return ctx.data({ task, changes });
  if (changes.length === 0) return ctx.out(`${escapeText(task.name)}: already ${escapeText(value.trim())}`);
  ctx.out(changes.map((change) => describeStatusChange(change, ctx.style)).join('\n'));
}
