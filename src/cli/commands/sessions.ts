/** `sessions`: the sessions under --dir. */
import { escapeText } from '../../app/escape.js';
import type { Context } from '../context.js';

export default async function sessions(ctx: Context): Promise<void> {
  const ids = await ctx.manager.listSessions();
  if (ctx.json) return ctx.data(ids);
  ctx.out(ids.length === 0 ? 'No sessions.' : ids.map(escapeText).join('\n'));
}
