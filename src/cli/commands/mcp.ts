/** `mcp`: the MCP server on stdio. The MCP SDK is loaded only here. */
import type { Context } from '../context.js';

export default async function mcp(ctx: Context): Promise<void> {
  // stdout carries the protocol only: anything a dependency logs goes to stderr instead.
  console.log = console.info = console.debug = console.error;
  const { runMcpServer } = await import('../../mcp/server.js');
  await runMcpServer({ manager: ctx.manager, session: ctx.session, stdin: ctx.io.stdin, stdout: ctx.io.stdoutStream ?? process.stdout });
}
