/** `mcp`: the MCP server on stdio. The MCP SDK is loaded only here. */
import type { Context } from '../context.js';
import { UsageError } from '../usage.js';

interface McpOptions {
  tools?: string;
}

export default async function mcp(ctx: Context, opts: McpOptions = {}): Promise<void> {
  const [{ runMcpServer }, { parseToolLevel }] = await Promise.all([import('../../mcp/server.js'), import('../../mcp/tool-levels.js')]);
  let tools;
  try {
    tools = parseToolLevel(opts.tools);
  } catch (error) {
    throw new UsageError(`option '--tools': ${error instanceof Error ? error.message.replace(/^Invalid input: /, '') : String(error)}`);
  }
  // stdout carries the protocol only: anything a dependency logs goes to stderr instead.
  console.log = console.info = console.debug = console.error;
  await runMcpServer({ manager: ctx.manager, session: ctx.session, tools, stdin: ctx.io.stdin, stdout: ctx.io.stdoutStream ?? process.stdout });
}
