/**
 * The `resume_session` prompt: where a session stands, for a model resuming after compaction or
 * in a new conversation. Its text is `resumeSessionPrompt` (an instruction line and
 * `manager.renderForPrompt`), never longer than `max_tokens` by the library's token estimate.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { escapeLines } from '../app/escape.js';
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { DEFAULT_RESUME_TOKENS, isTaskError, resumeSessionPrompt, type TaskManager } from '../index.js';

/** Largest `max_tokens` served: a prompt stays within the budget of one tool result. */
export const MAX_RESUME_TOKENS = 15_000;

/** Reads the `max_tokens` argument (prompt arguments are strings): a whole number, at most {@link MAX_RESUME_TOKENS}. */
export function parseMaxTokens(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_RESUME_TOKENS;
  const text = value.trim();
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new McpError(ErrorCode.InvalidParams, `max_tokens must be a whole number of tokens from 1 to ${MAX_RESUME_TOKENS}, got ${JSON.stringify(value)}`);
  }
  return Math.min(n, MAX_RESUME_TOKENS);
}

/** Registers `resume_session` on `server`; `defaultSession` is used when the client names none. */
export function registerResumePrompt(server: McpServer, manager: TaskManager, defaultSession: string): void {
  server.registerPrompt(
    'resume_session',
    {
      title: 'Resume session',
      description: `Where a session's tasks stand (current task and its path, in progress, ready next, blocked and why, counts of the rest), within max_tokens (default ${DEFAULT_RESUME_TOKENS}, at most ${MAX_RESUME_TOKENS}).`,
      argsSchema: {
        session: z.string().optional().describe("Session id (default: the server's session)"),
        max_tokens: z.string().optional().describe(`Token budget of the text (default ${DEFAULT_RESUME_TOKENS})`),
      },
    },
    async (args) => {
      const maxTokens = parseMaxTokens(args.max_tokens);
      const session = args.session === undefined || args.session.trim() === '' ? defaultSession : args.session;
      try {
        // terminal controls from task names and descriptions escaped, as in every MCP text
        const text = escapeLines(await resumeSessionPrompt(manager, session, maxTokens));
        return {
          description: `Session ${session}, within ${maxTokens} tokens`,
          messages: [{ role: 'user', content: { type: 'text', text } }],
        };
      } catch (error) {
        if (isTaskError(error)) throw new McpError(ErrorCode.InvalidParams, error.message);
        throw error;
      }
    },
  );
}
