/** `list`: tasks in list order, optionally filtered by status and agent. */
import { isTaskError } from '../../index.js';
import { filterTasks, parseTaskFilter, type TaskFilter } from '../../app/filters.js';
import type { Context } from '../context.js';
import { UsageError } from '../usage.js';
import { printTasks } from './print-tasks.js';

export default async function list(ctx: Context, opts: { status?: string; agent?: string }): Promise<void> {
  let filter: TaskFilter;
  try {
    filter = parseTaskFilter({ status: opts.status, agentId: opts.agent });
  } catch (error) {
    if (isTaskError(error)) throw new UsageError(`option '--status <status>': ${error.message}`);
    throw error;
  }
  printTasks(ctx, filterTasks(await ctx.manager.listTasks(ctx.session), filter), 'No tasks.');
}
