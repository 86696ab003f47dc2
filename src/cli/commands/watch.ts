/** `watch`: print changes to the session as they happen, until SIGINT/SIGTERM. */
import { watchSession } from '../../index.js';
import { escapeLines } from '../../app/escape.js';
import { stringifyExact } from '../../app/exact-numbers.js';
import { describeEvent } from '../../app/text-events.js';
import type { Context } from '../context.js';
import { positiveInteger } from '../usage.js';

export default async function watch(ctx: Context, opts: { interval: string }): Promise<void> {
  const interval = positiveInteger(opts.interval, '--interval');
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await watchSession(
      ctx.manager,
      ctx.session,
      (event) => (ctx.json ? ctx.io.stdout.write(`${stringifyExact(event)}\n`) : ctx.out(describeEvent(event))),
      { intervalMs: Math.max(10, interval), signal: controller.signal, onError: (e) => ctx.io.stderr.write(`${escapeLines(e.message)}\n`) },
    );
    await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
