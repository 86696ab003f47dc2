/** `serve`: the live web dashboard. The dashboard server is loaded only here. */
import type { Context } from '../context.js';
import { UsageError } from '../usage.js';

interface ServeOptions {
  host: string;
  port: number;
  allowWrites?: boolean;
  allowRemoteWrites?: boolean;
}

export default async function serve(ctx: Context, opts: ServeOptions): Promise<void> {
  const { runServeCommand, serveOptionsProblem } = await import('../../dashboard/serve.js');
  const problem = serveOptionsProblem(opts);
  if (problem !== null) throw new UsageError(problem);
  await runServeCommand(ctx.manager, opts, ctx.out, ctx.where);
}
