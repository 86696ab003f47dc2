/** `show <id>`: one task in detail. */
import { loadTaskDetails } from '../../app/show-task.js';
import { renderDetails } from '../../app/text-task.js';
import type { Context } from '../context.js';

export default async function show(ctx: Context, id: string): Promise<void> {
  const { task, list } = await loadTaskDetails(ctx.manager, ctx.session, id);
  if (ctx.json) return ctx.data(task);
  ctx.out(renderDetails(task, list, ctx.style));
}
