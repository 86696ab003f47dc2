/**
 * What an MCP server needs to offer the agent tool and a resume prompt: plain data and handlers
 * (plus a zod input schema for servers built on the SDK's `McpServer.registerTool`).
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import type { TaskManager } from '../manager.js';
import { estimateTokens, type TokenCounter } from '../model/token-estimate.js';
import { TASK_TOOL_ALIASES, taskToolInputSchema, type JsonSchema, type TaskToolName } from './schema.js';
import { createTaskTools, type SessionSource, type TaskTool } from './task-tool.js';

/** An MCP tool result with the text the original tool gives (`isError` on failure). */
export interface McpTaskToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

/** A tool ready to register with an MCP server. */
export interface McpTaskTool {
  readonly name: TaskToolName;
  readonly description: string;
  /** The `flat` JSON Schema (no top-level `oneOf`, which several MCP clients and model APIs refuse). */
  readonly inputSchema: JsonSchema;
  /**
   * The same schema as zod, for `McpServer.registerTool`: it advertises the JSON Schema above but
   * accepts any value and any extra key, so the SDK passes sloppy arguments through to `handler`
   * (which reads them leniently) instead of refusing them.
   */
  readonly zodInputSchema: z.ZodType<Record<string, unknown>>;
  /** Runs a call with the raw arguments; a string `session` argument picks the session. Never rejects. */
  handler(args: unknown): Promise<McpTaskToolResult>;
}

/** Options of {@link taskToolsForMcp}. */
export interface McpTaskToolOptions {
  /** The session used when a call names none (the server's session). */
  readonly sessionId: SessionSource;
  /** Which tools (default: `task` only). */
  readonly names?: readonly TaskToolName[];
  /** The argument that names a session per call (default `session`; null: none). */
  readonly sessionArgument?: string | null;
}

const SESSION_PROPERTY = { type: 'string', description: "Session id (default: the server's session)" };

function zodFor(schema: JsonSchema): z.ZodType<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const shape: Record<string, z.ZodType> = {};
  for (const [key, property] of Object.entries(properties)) shape[key] = z.unknown().optional().meta(property);
  return z.looseObject(shape) as unknown as z.ZodType<Record<string, unknown>>;
}

/**
 * The `task` tool (and with `names`, its aliases) for an MCP server. Each session gets its own
 * tool set, so the loop breaker's run is per session for the server's lifetime.
 */
export function taskToolsForMcp(manager: TaskManager, options: McpTaskToolOptions): McpTaskTool[] {
  if (options === null || typeof options !== 'object') throw new InvalidInputError('taskToolsForMcp needs options with a sessionId');
  const names = options.names ?? ['task'];
  for (const name of names) if (!Object.hasOwn(TASK_TOOL_ALIASES, name)) throw new InvalidInputError(`unknown task tool name '${String(name)}'`);
  const sessionArgument = options.sessionArgument === undefined ? 'session' : options.sessionArgument;
  const bySession = new Map<string, Map<TaskToolName, TaskTool>>();
  const noSession = new Map(createTaskTools(manager, { sessionId: null, schema: 'flat', names }).map((t) => [t.name, t]));

  const toolFor = async (name: TaskToolName, args: unknown): Promise<{ tool: TaskTool; args: unknown }> => {
    let rest = args;
    let session: string | null = null;
    if (sessionArgument !== null && args !== null && typeof args === 'object' && !Array.isArray(args) && Object.hasOwn(args, sessionArgument)) {
      const { [sessionArgument]: given, ...others } = args as Record<string, unknown>;
      rest = others;
      if (typeof given === 'string' && given.trim() !== '') session = given;
    }
    if (session === null) {
      const source = options.sessionId;
      const value = typeof source === 'function' ? await source() : source;
      session = typeof value === 'string' && value.trim() !== '' ? value : null;
    }
    if (session === null) return { tool: noSession.get(name) as TaskTool, args: rest };
    let tools = bySession.get(session);
    if (tools === undefined) {
      tools = new Map(createTaskTools(manager, { sessionId: session, schema: 'flat', names }).map((t) => [t.name, t]));
      bySession.set(session, tools);
    }
    return { tool: tools.get(name) as TaskTool, args: rest };
  };

  const withSession = (schema: JsonSchema): JsonSchema => {
    if (sessionArgument === null) return schema;
    const properties = { ...(schema.properties as Record<string, unknown>), [sessionArgument]: SESSION_PROPERTY };
    return { ...schema, properties };
  };

  return names.map((name) => {
    const template = noSession.get(name) as TaskTool;
    const inputSchema = withSession(taskToolInputSchema(name, 'flat'));
    return {
      name,
      description: template.description,
      inputSchema,
      zodInputSchema: zodFor(inputSchema),
      async handler(args: unknown): Promise<McpTaskToolResult> {
        const { tool, args: rest } = await toolFor(name, args).catch(() => ({ tool: template, args }));
        const { ok, text } = await tool.execute(rest);
        return ok ? { content: [{ type: 'text', text }] } : { content: [{ type: 'text', text }], isError: true };
      },
    };
  });
}

/** The `task` tool alone for an MCP server; see {@link taskToolsForMcp}. */
export function taskToolForMcp(manager: TaskManager, options: Omit<McpTaskToolOptions, 'names'>): McpTaskTool {
  return taskToolsForMcp(manager, { ...options, names: ['task'] })[0] as McpTaskTool;
}

/** Default budget of {@link resumeSessionPrompt}. */
export const DEFAULT_RESUME_TOKENS = 1500;

const RESUME_INTRO = 'You are resuming work on this task list. Continue with the current task, or the first ready one.';

/**
 * The text of a `resume_session` prompt: an instruction line followed by
 * `manager.renderForPrompt` for the session, the whole within `maxTokens` (the line is left out
 * when the budget is too small to spare it).
 */
export async function resumeSessionPrompt(
  manager: TaskManager,
  sessionId: string,
  maxTokens: number = DEFAULT_RESUME_TOKENS,
  options: { readonly rootId?: string | null; readonly focus?: string | null; readonly countTokens?: TokenCounter } = {},
): Promise<string> {
  const introCost = (options.countTokens ?? estimateTokens)(RESUME_INTRO) + 1;
  if (typeof maxTokens === 'number' && Number.isSafeInteger(maxTokens) && maxTokens >= introCost * 2) {
    const body = await manager.renderForPrompt(sessionId, { ...options, maxTokens: maxTokens - introCost });
    return body === '' ? RESUME_INTRO : `${RESUME_INTRO}\n${body}`;
  }
  return manager.renderForPrompt(sessionId, { ...options, maxTokens });
}
