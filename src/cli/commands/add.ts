/** `add <name>`: create a task (with parent, agent and dependencies, in one commit). */
import { createTask } from '../../app/create-task.js';
import { escapeText } from '../../app/escape.js';
import type { Context } from '../context.js';

export default async function add(
  ctx: Context,
  name: string,
  opts: { description: string; parent?: string; agent?: string; blockedBy?: string[] },
): Promise<void> {
  const task = await createTask(ctx.manager, ctx.session, {
    name,
    description: opts.description,
    parentId: opts.parent,
    agentId: opts.agent,
    blockedBy: opts.blockedBy,
  });
  if (ctx.json) return ctx.data(task);
  ctx.out(`Created ${escapeText(task.id)}  ${escapeText(task.name)}`);
}
