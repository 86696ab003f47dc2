/** Printing a list of tasks: JSON, or a table. */
import type { Task } from '../../index.js';
import { renderTable } from '../../app/text-task.js';
import type { Context } from '../context.js';

/** Prints tasks as JSON or as a table (`empty` when there are none). */
export function printTasks(ctx: Context, tasks: Task[], empty: string): void {
  if (ctx.json) return ctx.data(tasks);
  if (tasks.length === 0) return ctx.out(empty);
  ctx.out(renderTable(tasks, ctx.style));
}
