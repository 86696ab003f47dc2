/** `ready`: the ready queue, in claim order. */
import { readyTasks } from '../../app/task-state.js';
import type { Context } from '../context.js';
import { positiveInteger } from '../usage.js';
import { printTasks } from './print-tasks.js';

export default async function ready(ctx: Context, opts: { limit?: string }): Promise<void> {
  const limit = opts.limit === undefined ? undefined : positiveInteger(opts.limit, '--limit');
  const tasks = await readyTasks(ctx.manager, ctx.session);
  printTasks(ctx, limit === undefined ? tasks : tasks.slice(0, limit), 'No ready tasks.');
}
