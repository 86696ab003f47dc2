/** `dep <task> <blocker>`: make a task wait for another. */
import { escapeText } from '../../app/escape.js';
import type { Context } from '../context.js';

export default async function dep(ctx: Context, taskId: string, blockerId: string): Promise<void> {
  const added = await ctx.manager.addTaskDependency(ctx.session, taskId, blockerId);
  if (ctx.json) return ctx.data({ added, task_id: taskId, blocker_id: blockerId });
  const [t, b] = [escapeText(taskId), escapeText(blockerId)];
  ctx.out(added ? `${t} now waits for ${b}` : `${t} already waits for ${b}`);
}
