/**
 * `copy --from <dir|url> --to <dir|url> [--session S] [--force]`: sessions from one store to another
 * (src/app/copy-sessions.ts), with their history: both stores are opened with the history on, as
 * every front end opens them. Prints what was copied; refused sessions are an error (exit 1).
 */
import { TaskIoError } from '../../index.js';
import { copySessions } from '../../app/copy-sessions.js';
import { escapeText } from '../../app/escape.js';
import { openStoreTarget, type StoreTarget } from '../../app/store-target.js';
import type { Context } from '../context.js';

interface CopyOptions {
  from: string;
  to: string;
  force?: boolean;
}

export default async function copy(ctx: Context, opts: CopyOptions): Promise<void> {
  const opened: StoreTarget[] = [];
  try {
    const from = await openStoreTarget(opts.from, ctx.io.cwd, { history: true });
    opened.push(from);
    const to = await openStoreTarget(opts.to, ctx.io.cwd, { history: true });
    opened.push(to);
    const sessions = ctx.sessionGiven === undefined ? undefined : [ctx.sessionGiven];
    const result = await copySessions(from.store, to.store, { sessions, force: opts.force }, { from: from.where, to: to.where });
    if (ctx.json) ctx.data({ from: from.where, to: to.where, ...result });
    else {
      const names = (ids: string[]): string => ids.map(escapeText).join(', ');
      ctx.out(`Copied ${result.copied.length} ${result.copied.length === 1 ? 'session' : 'sessions'} from ${escapeText(from.where)} to ${escapeText(to.where)}${result.copied.length === 0 ? '' : `: ${names(result.copied)}`}`);
      if (result.overwritten.length > 0) ctx.out(`Overwritten: ${names(result.overwritten)}`);
      if (result.historyEntries > 0) ctx.out(`With their history: ${result.historyEntries} ${result.historyEntries === 1 ? 'entry' : 'entries'}`);
      if (result.withoutHistory.length > 0) ctx.out(`History not copied (${escapeText(to.where)} keeps none): ${names(result.withoutHistory)}`);
    }
    if (result.refused.length > 0) {
      throw new TaskIoError(`not copied, created in ${to.where} by another writer during the copy: ${result.refused.join(', ')}`);
    }
  } finally {
    for (const target of opened) await target.close().catch(() => undefined);
  }
}
