/**
 * A fast path for {@link TaskListSchema} on the common shape of a session file, without building or
 * running any zod schema: a short CLI call reads one small file, and building and first running the
 * schemas cost it several milliseconds.
 *
 * It handles only the plain shape (no background job, no key the schemas do not name) and answers
 * `undefined` for anything else, invalid or not, so the caller then parses with the schema, which
 * stays the single source of truth: its results and its error messages are unchanged. Where it
 * answers, its result equals the schema's output, key order included (test/schema-fast-path.test.ts
 * compares both on random and hostile values). The rules below mirror the schemas in task.ts and
 * task-list.ts and use the same enumerations and timestamp functions.
 */
import { TaskSource, TaskStatus } from './enums.js';
import type { Task } from './task.js';
import type { TaskListData } from './task-list.js';
import { isRfc3339, toUtcTimestamp } from './timestamp.js';

const STATUSES: ReadonlySet<unknown> = new Set(Object.values(TaskStatus));
const SOURCES: ReadonlySet<unknown> = new Set(Object.values(TaskSource));

/** Keys of a task this path handles, each as the schema reads it (see task.ts). */
const TASK_KEYS: ReadonlySet<string> = new Set([
  'id',
  'name',
  'description',
  'status',
  'parent_id',
  'blocked_by',
  'sort_order',
  'phase',
  'created_at',
  'updated_at',
  'session_id',
  'source',
  'orchestrator_task_id',
  'agent_id',
  'metadata',
]);

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** A plain object (not an array, nothing inherited but Object's), as the JSON parser makes them. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** True when every own key of `record` is in `known`. */
function onlyKeys(record: Record<string, unknown>, known: ReadonlySet<string>): boolean {
  for (const key of Object.keys(record)) if (!known.has(key)) return false;
  return true;
}

/** `string | null`, defaulting to null when missing (`z.string().nullable().default(null)`). */
function nullableString(value: unknown, present: boolean): string | null | undefined {
  if (!present) return null;
  return value === null || typeof value === 'string' ? value : undefined;
}

/**
 * What `TaskSchema.parse(value)` returns, when `value` is a task of the plain shape this path
 * handles; `undefined` otherwise (parse it with the schema then). The PostgreSQL store decodes its
 * task rows with it. O(size).
 */
export function fastTask(value: unknown): Task | undefined {
  if (!isPlainRecord(value) || !onlyKeys(value, TASK_KEYS)) return undefined;
  const has = (key: string): boolean => Object.hasOwn(value, key);
  const { id, name, description, status, created_at: createdAt, updated_at: updatedAt, session_id: sessionId } = value;
  if (typeof id !== 'string' || id.length < 1 || typeof name !== 'string' || typeof description !== 'string') return undefined;
  if (!STATUSES.has(status) || typeof sessionId !== 'string') return undefined;
  if (typeof createdAt !== 'string' || typeof updatedAt !== 'string' || !isRfc3339(createdAt) || !isRfc3339(updatedAt)) return undefined;
  const parentId = nullableString(value.parent_id, has('parent_id'));
  const orchestratorTaskId = nullableString(value.orchestrator_task_id, has('orchestrator_task_id'));
  const agentId = nullableString(value.agent_id, has('agent_id'));
  if (parentId === undefined || orchestratorTaskId === undefined || agentId === undefined) return undefined;
  let blockedBy: string[] = [];
  if (has('blocked_by')) {
    const raw = value.blocked_by;
    if (!Array.isArray(raw)) return undefined;
    for (const item of raw) if (typeof item !== 'string') return undefined;
    blockedBy = (raw as string[]).slice();
  }
  let sortOrder = 0;
  if (has('sort_order')) {
    const raw = value.sort_order;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < INT32_MIN || raw > INT32_MAX) return undefined;
    sortOrder = raw;
  }
  const source = has('source') ? value.source : TaskSource.User;
  if (!SOURCES.has(source)) return undefined;
  const metadata = has('metadata') ? value.metadata : null;
  if (metadata === undefined) return undefined;
  // The schema's key order: its shape's, keys it leaves out when absent (phase) left out.
  const task: Record<string, unknown> = {
    id,
    name,
    description,
    status,
    parent_id: parentId,
    blocked_by: blockedBy,
  };
  task.sort_order = sortOrder;
  if (has('phase')) {
    const phase = value.phase;
    if (phase !== null && typeof phase !== 'string') return undefined;
    task.phase = phase ?? undefined;
  }
  task.created_at = toUtcTimestamp(createdAt);
  task.updated_at = toUtcTimestamp(updatedAt);
  task.session_id = sessionId;
  task.source = source;
  task.orchestrator_task_id = orchestratorTaskId;
  task.agent_id = agentId;
  task.metadata = metadata;
  return task as Task;
}

const LIST_KEYS: ReadonlySet<string> = new Set(['session_id', 'tasks', 'current_task_id']);

/**
 * What `TaskListSchema.parse(value)` returns, when `value` has the plain shape this path handles;
 * `undefined` otherwise (valid or not: parse it with the schema then). O(size of `value`).
 */
export function fastTaskListData(value: unknown): TaskListData | undefined {
  if (!isPlainRecord(value) || !onlyKeys(value, LIST_KEYS)) return undefined;
  const { session_id: sessionId, tasks, current_task_id: current } = value;
  if (typeof sessionId !== 'string' || !Array.isArray(tasks)) return undefined;
  if (current !== undefined && current !== null && typeof current !== 'string') return undefined;
  const out: Task[] = new Array<Task>(tasks.length);
  for (let i = 0; i < tasks.length; i++) {
    const task = fastTask(tasks[i]);
    if (task === undefined) return undefined;
    out[i] = task;
  }
  return { session_id: sessionId, tasks: out, current_task_id: current ?? null };
}
