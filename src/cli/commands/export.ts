/** `export`: the session file exactly as stored. */
import { encodeTaskList } from '../../index.js';
import type { Context } from '../context.js';

export default async function exportCommand(ctx: Context): Promise<void> {
  ctx.out(encodeTaskList(await ctx.manager.loadTaskList(ctx.session)));
}
