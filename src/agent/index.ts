/**
 * gestura-tasks/agent: the pieces an agent loop wires in — the original's `task` tool (and its
 * aliases), MCP adapters for it, the runtime snapshot and budgeted prompt rendering, and the token
 * estimate they use. Also exported from the package root.
 */
export {
  createTaskTool,
  createTaskTools,
  type TaskTool,
  type TaskToolOptions,
  type TaskToolResult,
  type SessionSource,
} from './task-tool.js';
export {
  TASK_TOOL_ALIASES,
  taskToolDescription,
  taskToolInputSchema,
  type JsonSchema,
  type TaskToolName,
  type TaskToolSchemaForm,
} from './schema.js';
export { TASK_OPERATIONS, type TaskOperation } from './arguments.js';
export { parseAgentStatus } from './status-text.js';
export {
  taskToolForMcp,
  taskToolsForMcp,
  resumeSessionPrompt,
  DEFAULT_RESUME_TOKENS,
  type McpTaskTool,
  type McpTaskToolResult,
} from './mcp.js';
export {
  runtimeSnapshot,
  type RuntimeSnapshot,
  type BlockedTaskInfo,
  type MissingRequirementInfo,
  type TaskRef,
} from '../model/runtime-snapshot.js';
export { missingRequirements, type VerificationRequirement } from '../model/verification-gaps.js';
export { renderSnapshotForPrompt, type RenderForPromptOptions } from '../model/prompt-render.js';
export { estimateTokens, type TokenCounter } from '../model/token-estimate.js';
