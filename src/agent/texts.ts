/**
 * The exact result texts of the `task` tool, as the original agent tool writes them. Statuses
 * appear in their serialized form (`InProgress`), as the original's debug formatting does.
 */
import type { Task } from '../schema/task.js';

/** Sent when the tool has no session to work on. */
export const NO_SESSION_TEXT = 'Task management requires an active session with workspace';
/** Sent by list and get_hierarchy for an empty session. */
export const NO_TASKS_TEXT = 'No tasks found for this session';
/** The accepted status words, as listed in the guidance of a missing status. */
export const ACCEPTED_STATUS_WORDS = ['notstarted', 'blocked', 'inprogress', 'completed', 'cancelled'] as const;

/** `Created task '{name}' (ID: {id})\nDescription: {desc}\nStatus: {status}`. */
export function createdText(task: Task): string {
  return `Created task '${task.name}' (ID: ${task.id})\nDescription: ${task.description}\nStatus: ${task.status}`;
}

/** `Updated task {id} status to {status}`. */
export function statusUpdatedText(id: string, status: string): string {
  return `Updated task ${id} status to ${status}`;
}

/** `Updated task {id}: name to '{n}', description to '{d}'` (only the parts given). */
export function updatedText(id: string, name: string | null, description: string | null): string {
  const parts: string[] = [];
  if (name !== null) parts.push(`name to '${name}'`);
  if (description !== null) parts.push(`description to '${description}'`);
  return `Updated task ${id}: ${parts.join(', ')}`;
}

/** `Deleted task '{name}' (ID: {id})`. */
export function deletedText(task: Task): string {
  return `Deleted task '${task.name}' (ID: ${task.id})`;
}

function taskBlock(task: Task): string {
  return `• ${task.name} (ID: ${task.id})\n  Status: ${task.status}\n  Description: ${task.description}\n`;
}

/** The list text: a header, then one block per task (parent line when it has one), each followed by a blank line. */
export function listText(tasks: readonly Task[]): string {
  if (tasks.length === 0) return NO_TASKS_TEXT;
  let out = `Found ${tasks.length} task(s):\n\n`;
  for (const task of tasks) {
    out += taskBlock(task);
    if (task.parent_id !== null) out += `  Parent: ${task.parent_id}\n`;
    out += '\n';
  }
  return out;
}

/** The hierarchy text: each root task with its direct subtasks. */
export function hierarchyText(hierarchy: readonly (readonly [Task, readonly Task[]])[]): string {
  if (hierarchy.length === 0) return NO_TASKS_TEXT;
  let out = `Task hierarchy (${hierarchy.length} root task(s)):\n\n`;
  for (const [root, subtasks] of hierarchy) {
    out += taskBlock(root);
    if (subtasks.length > 0) {
      out += `  Subtasks (${subtasks.length}):\n`;
      for (const sub of subtasks) out += `    - ${sub.name} (ID: ${sub.id}, Status: ${sub.status})\n`;
    }
    out += '\n';
  }
  return out;
}

/** `Unknown task operation: {op}. Supported: create, update_status, update, delete, list, get_hierarchy`. */
export function unknownOperationText(operation: string): string {
  return `Unknown task operation: ${operation}. Supported: create, update_status, update, delete, list, get_hierarchy`;
}

/** The message for a missing required field of an operation (with guidance where the original gives some). */
export function missingFieldText(field: 'name' | 'task_id' | 'status' | 'update_fields', operation: string, given?: string | null): string {
  switch (field) {
    case 'task_id':
      return `Missing required field 'task_id' for ${operation} operation`;
    case 'name':
      return (
        "Missing required field 'name' for create operation. Give the new task a short title in 'name', " +
        'e.g. {"operation": "create", "name": "Write tests", "description": "Cover the parser"}.'
      );
    case 'status': {
      const got = given == null ? '' : ` '${given}' is not a status.`;
      return `Missing required field 'status' for update_status operation.${got} Use one of: ${ACCEPTED_STATUS_WORDS.join(', ')}.`;
    }
    case 'update_fields':
      return (
        "Missing required update fields for update operation. Give 'name' and/or 'description'; " +
        'to change the status use the update_status operation.'
      );
  }
}

/** The loop breaker's message for a repeated malformed call of `kind` (e.g. `task.create`). */
export function loopBreakerText(kind: string, reason: string): string {
  return (
    `Loop breaker: skipped a repeated malformed \`${kind}\` call; an earlier ${kind} call already failed in this run. ` +
    `It failed again because: ${reason} Change course: fix the arguments as described, ` +
    'call the list operation to see the task ids, or continue without this call.'
  );
}
