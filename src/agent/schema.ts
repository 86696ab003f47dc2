/**
 * The JSON Schemas and descriptions of the `task` tool and its fixed-operation aliases.
 *
 * Two forms: `original` carries the original tool's `oneOf` (which fields each operation needs);
 * `flat` states the same in descriptions only, for model APIs and MCP clients that refuse
 * `oneOf`/`anyOf` at the top level of a tool schema. The executor reads arguments the same way for
 * both.
 */
import { TASK_OPERATIONS, type TaskOperation } from './arguments.js';

/** A JSON Schema object (plain data). */
export type JsonSchema = { readonly [key: string]: unknown };

/** Which schema form a tool advertises. */
export type TaskToolSchemaForm = 'original' | 'flat';

/** The names under which the tool can be registered, and the operation each one forces. */
export const TASK_TOOL_ALIASES = {
  task: null,
  tasks: null,
  task_create: 'create',
  task_update_status: 'update_status',
  task_update: 'update',
  task_delete: 'delete',
  task_list: 'list',
  task_get_hierarchy: 'get_hierarchy',
} as const satisfies Record<string, TaskOperation | null>;

/** A name of the tool or one of its aliases. */
export type TaskToolName = keyof typeof TASK_TOOL_ALIASES;

const STATUS_VALUES = ['notstarted', 'inprogress', 'completed', 'cancelled'];

const FIELDS = {
  task_id: { type: 'string', description: 'Id of the task (update_status, update, delete).' },
  name: { type: 'string', description: 'Task name: a short title (create; update to rename).' },
  description: { type: 'string', description: 'What the task is about (create, update).' },
  status: {
    type: 'string',
    enum: STATUS_VALUES,
    description: 'New status (update_status). Completing is refused while subtasks or dependencies are open; blocked is also accepted.',
  },
  parent_id: { type: 'string', description: 'Id of the parent task, to create a subtask (create).' },
} as const;

const OPERATION_FIELD = {
  type: 'string',
  enum: [...TASK_OPERATIONS],
  description: 'What to do; list when omitted.',
} as const;

const DESCRIPTION =
  "Track your work as a task list in this session. Operations: create (name, optional description and parent_id for a subtask), " +
  'update_status (task_id, status: notstarted | inprogress | completed | cancelled), update (task_id, new name and/or description), ' +
  'delete (task_id), list (every task with its id and status), get_hierarchy (root tasks with their subtasks). ' +
  'Mark a task inprogress when you start it and completed when it is done; a parent completes by itself when its last open subtask finishes.';

const FIXED_DESCRIPTIONS: Record<TaskOperation, string> = {
  create: 'Create a task in this session (name; optional description; parent_id to make it a subtask).',
  update_status: 'Set the status of a task: notstarted, inprogress, completed or cancelled (blocked is also accepted).',
  update: "Rename a task or change its description (task_id plus 'name' and/or 'description').",
  delete: 'Delete a task by id.',
  list: 'List every task of this session with its id, status and description.',
  get_hierarchy: 'Show the root tasks of this session with their direct subtasks.',
};

const FIXED_FIELDS: Record<TaskOperation, { fields: (keyof typeof FIELDS)[]; required: (keyof typeof FIELDS)[] }> = {
  create: { fields: ['name', 'description', 'parent_id'], required: ['name'] },
  update_status: { fields: ['task_id', 'status'], required: ['task_id', 'status'] },
  update: { fields: ['task_id', 'name', 'description'], required: ['task_id'] },
  delete: { fields: ['task_id'], required: ['task_id'] },
  list: { fields: [], required: [] },
  get_hierarchy: { fields: [], required: [] },
};

function pick(fields: readonly (keyof typeof FIELDS)[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, FIELDS[f]]));
}

/** The description a tool of this name advertises. */
export function taskToolDescription(name: TaskToolName): string {
  const forced = TASK_TOOL_ALIASES[name];
  return forced === null ? DESCRIPTION : FIXED_DESCRIPTIONS[forced];
}

/** The input schema a tool of this name advertises, in the given form. A fresh object each call. */
export function taskToolInputSchema(name: TaskToolName, form: TaskToolSchemaForm = 'original'): JsonSchema {
  const forced = TASK_TOOL_ALIASES[name];
  if (forced !== null) {
    const { fields, required } = FIXED_FIELDS[forced];
    return { type: 'object', properties: pick(fields), required: [...required] };
  }
  const schema: Record<string, unknown> = {
    type: 'object',
    properties: { operation: OPERATION_FIELD, ...pick(['task_id', 'name', 'description', 'status', 'parent_id']) },
  };
  if (form === 'original') {
    const when = (operation: string, required: string[]): JsonSchema => ({
      properties: { operation: { const: operation } },
      required: ['operation', ...required],
    });
    schema.oneOf = [
      when('create', ['name']),
      when('update_status', ['task_id', 'status']),
      when('update', ['task_id']),
      when('delete', ['task_id']),
      { properties: { operation: { enum: ['list', 'get_hierarchy'] } } },
    ];
  }
  return schema;
}
