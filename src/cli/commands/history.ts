/** `history [<task>] [--since T] [--limit N]`: who changed what, newest first (README "History"). */
import { parseSince, readHistoryPage, renderHistory } from '../../app/history.js';
import { InvalidInputError } from '../../errors.js';
import type { Context } from '../context.js';
import { positiveInteger, UsageError } from '../usage.js';

export default async function history(ctx: Context, taskId: string | undefined, opts: { since?: string; limit?: string }): Promise<void> {
  const limit = opts.limit === undefined ? undefined : positiveInteger(opts.limit, '--limit');
  let since: string | undefined;
  try {
    since = opts.since === undefined ? undefined : parseSince(opts.since, Date.now(), "option '--since'");
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.detail);
    throw error;
  }
  const page = await readHistoryPage(ctx.manager, ctx.session, { taskId, since, limit });
  if (ctx.json) return ctx.data({ entries: page.entries, more: page.more });
  ctx.out(renderHistory(page, taskId === undefined));
}
