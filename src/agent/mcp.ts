/**
 * What an MCP server needs to offer the agent tool and a resume prompt: plain data and handlers,
 * independent of any MCP SDK version (the server registers them).
 */
import type { TaskManager } from '../manager.js';
import { estimateTokens, type TokenCounter } from '../model/token-estimate.js';
import type { JsonSchema } from './schema.js';
import { createTaskTools, type SessionSource, type TaskTool } from './task-tool.js';
import type { TaskToolName } from './schema.js';

/** An MCP tool result with the text the original tool gives (`isError` on failure). */
export interface McpTaskToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

/** A tool ready to register with an MCP server: JSON Schema input, handler for the raw arguments. */
export interface McpTaskTool {
  readonly name: TaskToolName;
  readonly description: string;
  /** The `flat` schema form (no top-level `oneOf`, which several MCP clients and model APIs refuse). */
  readonly inputSchema: JsonSchema;
  handler(args: unknown): Promise<McpTaskToolResult>;
}

function forMcp(tool: TaskTool): McpTaskTool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    async handler(args: unknown): Promise<McpTaskToolResult> {
      const { ok, text } = await tool.execute(args);
      return ok ? { content: [{ type: 'text', text }] } : { content: [{ type: 'text', text }], isError: true };
    },
  };
}

/**
 * The `task` tool (and with `names`, its aliases) for an MCP server, on `sessionId` (a function
 * lets each call pick the session, e.g. from a `session` argument the server strips first).
 * The tools share one loop-breaker run for the server's lifetime.
 */
export function taskToolsForMcp(
  manager: TaskManager,
  options: { readonly sessionId: SessionSource; readonly names?: readonly TaskToolName[] },
): McpTaskTool[] {
  return createTaskTools(manager, { sessionId: options.sessionId, schema: 'flat', names: options.names ?? ['task'] }).map(forMcp);
}

/** The `task` tool alone for an MCP server; see {@link taskToolsForMcp}. */
export function taskToolForMcp(manager: TaskManager, options: { readonly sessionId: SessionSource }): McpTaskTool {
  return taskToolsForMcp(manager, { sessionId: options.sessionId, names: ['task'] })[0] as McpTaskTool;
}

/** Default budget of {@link resumeSessionPrompt}. */
export const DEFAULT_RESUME_TOKENS = 1500;

/**
 * The text of a `resume_session` prompt: a short instruction line followed by
 * `manager.renderForPrompt` for the session, the whole within `maxTokens`.
 */
export async function resumeSessionPrompt(
  manager: TaskManager,
  sessionId: string,
  maxTokens: number = DEFAULT_RESUME_TOKENS,
  options: { readonly rootId?: string | null; readonly focus?: string | null; readonly countTokens?: TokenCounter } = {},
): Promise<string> {
  const intro = 'You are resuming work on this task list. Continue with the current task, or the first ready one.';
  const count = options.countTokens;
  const introCost = (count ?? estimateTokens)(intro) + 1;
  if (typeof maxTokens === 'number' && Number.isSafeInteger(maxTokens) && maxTokens >= introCost * 2) {
    const body = await manager.renderForPrompt(sessionId, { ...options, maxTokens: maxTokens - introCost });
    return body === '' ? intro : `${intro}\n${body}`;
  }
  return manager.renderForPrompt(sessionId, { ...options, maxTokens });
}
