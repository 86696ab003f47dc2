/**
 * Which tools the MCP server lists at each `--tools` level, in one table. Every tool the server
 * registers must appear here (the server refuses to start otherwise), so the levels cannot drift.
 *
 * - `core` (7 tools): the original's `task` tool for create / update / status / delete / list /
 *   hierarchy, plus what an agent loop needs beyond it: the bounded tree, one task in detail,
 *   the ready queue, atomic claiming, dependencies and evidence.
 * - `standard` (16, the default): core plus the dedicated, paged and structured tools, renewing
 *   and releasing leased claims, and the session history.
 * - `all` (23): standard plus the original's fixed-operation aliases of `task`.
 */
import { InvalidInputError } from '../errors.js';

/** How many tools the server lists; each level includes the ones before it. */
export type ToolLevel = 'core' | 'standard' | 'all';

/** The levels, smallest first. */
export const TOOL_LEVEL_NAMES: readonly ToolLevel[] = ['core', 'standard', 'all'];

/** The level a server uses when none is given. */
export const DEFAULT_TOOL_LEVEL: ToolLevel = 'standard';

/** The smallest level at which each tool is listed. */
export const TOOL_LEVELS = {
  task: 'core',
  task_tree: 'core',
  show_task: 'core',
  ready_tasks: 'core',
  claim_task: 'core',
  add_dependency: 'core',
  record_evidence: 'core',

  create_task: 'standard',
  update_task: 'standard',
  set_task_status: 'standard',
  renew_claim: 'standard',
  release_claim: 'standard',
  delete_task: 'standard',
  list_tasks: 'standard',
  import_plan: 'standard',
  task_history: 'standard',

  tasks: 'all',
  task_create: 'all',
  task_update_status: 'all',
  task_update: 'all',
  task_delete: 'all',
  task_list: 'all',
  task_get_hierarchy: 'all',
} as const satisfies Record<string, ToolLevel>;

/** A tool name of the table. */
export type McpToolName = keyof typeof TOOL_LEVELS;

/** True when `name` is in the table. */
export function isKnownTool(name: string): name is McpToolName {
  return Object.hasOwn(TOOL_LEVELS, name);
}

/** The tools listed at `level`, in table order. */
export function toolsAt(level: ToolLevel): McpToolName[] {
  const rank = TOOL_LEVEL_NAMES.indexOf(level);
  return (Object.keys(TOOL_LEVELS) as McpToolName[]).filter((name) => TOOL_LEVEL_NAMES.indexOf(TOOL_LEVELS[name]) <= rank);
}

/** Reads a `--tools` value (case and surrounding space ignored); anything else is an InvalidInputError. */
export function parseToolLevel(value: unknown): ToolLevel {
  if (value === undefined) return DEFAULT_TOOL_LEVEL;
  const level = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (typeof level === 'string' && (TOOL_LEVEL_NAMES as readonly string[]).includes(level)) return level as ToolLevel;
  throw new InvalidInputError(`unknown tool level ${JSON.stringify(String(value))}: use ${TOOL_LEVEL_NAMES.join(', ')}`);
}
