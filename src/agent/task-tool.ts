/**
 * The `task` tool: the original application's agent-facing tool over a {@link TaskManager}, as a
 * plain definition any agent framework can register. `execute` takes whatever a model sent and
 * always resolves to `{ ok, text }`; it never throws.
 */
import { InvalidInputError } from '../errors.js';
import type { TaskManager } from '../manager.js';
import { TASK_OPERATIONS, readRawArguments, readTaskCall, type TaskCall, type TaskOperation } from './arguments.js';
import {
  TASK_TOOL_ALIASES,
  taskToolDescription,
  taskToolInputSchema,
  type JsonSchema,
  type TaskToolName,
  type TaskToolSchemaForm,
} from './schema.js';
import {
  NO_SESSION_TEXT,
  createdText,
  deletedText,
  hierarchyText,
  listText,
  loopBreakerText,
  missingFieldText,
  statusUpdatedText,
  unknownOperationText,
  updatedText,
} from './texts.js';

/** What a tool call resolves to: `ok` false for every failure, `text` for the model. */
export interface TaskToolResult {
  readonly ok: boolean;
  readonly text: string;
}

/** The session a tool works on: fixed, or asked for at every call (null/undefined/'' = none). */
export type SessionSource = string | null | undefined | (() => string | null | undefined | Promise<string | null | undefined>);

/** Options of {@link createTaskTool} and {@link createTaskTools}. */
export interface TaskToolOptions {
  /** The agent's session. Without one every call answers `Task management requires an active session with workspace`. */
  readonly sessionId: SessionSource;
  /** Schema form to advertise (default `original`, with the original's `oneOf`; `flat` for APIs that refuse it). */
  readonly schema?: TaskToolSchemaForm;
}

/** A tool definition: register `name`, `description` and `inputSchema` with the model; run calls with `execute`. */
export interface TaskTool {
  readonly name: TaskToolName;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  /** Runs one call with the raw arguments the model sent (an object or JSON text). Never rejects. */
  execute(args: unknown): Promise<TaskToolResult>;
  /** Starts a new run: forgets earlier failures, so the loop breaker lets the next malformed call through. */
  resetRun(): void;
}

/** Call kinds the loop breaker watches. */
type WatchedKind = 'task.create' | 'task.update' | 'task.update_status';

/** The malformed calls of one run, by kind, shared by a tool and its aliases. */
class RunState {
  readonly #failed = new Set<WatchedKind>();

  failed(kind: WatchedKind | null): void {
    if (kind !== null) this.#failed.add(kind);
  }

  hasFailed(kind: WatchedKind): boolean {
    return this.#failed.has(kind);
  }

  reset(): void {
    this.#failed.clear();
  }
}

function watchedKind(operation: string): WatchedKind | null {
  if (operation === 'create') return 'task.create';
  if (operation === 'update') return 'task.update';
  if (operation === 'update_status') return 'task.update_status';
  return null;
}

const fail = (text: string): TaskToolResult => ({ ok: false, text });
const succeed = (text: string): TaskToolResult => ({ ok: true, text });

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function resolveSession(source: SessionSource): Promise<string | null> {
  const value = typeof source === 'function' ? await source() : source;
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** Why a call cannot run as given (a missing field), or null when it is well-formed. */
function malformation(call: TaskCall): string | null {
  switch (call.operation) {
    case 'create':
      return call.name === null ? missingFieldText('name', 'create') : null;
    case 'update_status':
      if (call.task_id === null) return missingFieldText('task_id', 'update_status');
      return call.status === null ? missingFieldText('status', 'update_status', call.unreadable_status) : null;
    case 'update':
      if (call.task_id === null) return missingFieldText('task_id', 'update');
      return call.name === null && call.description === null ? missingFieldText('update_fields', 'update') : null;
    case 'delete':
      return call.task_id === null ? missingFieldText('task_id', 'delete') : null;
    default:
      return null;
  }
}

async function perform(manager: TaskManager, session: string, call: TaskCall): Promise<TaskToolResult> {
  const id = call.task_id as string;
  switch (call.operation as TaskOperation) {
    case 'create':
      try {
        return succeed(createdText(await manager.createTask(session, call.name as string, call.description ?? '', call.parent_id)));
      } catch (error) {
        return fail(`Failed to create task: ${errorText(error)}`);
      }
    case 'update_status':
      try {
        const task = await manager.updateTaskStatus(session, id, call.status as string);
        return succeed(statusUpdatedText(task.id, call.status as string));
      } catch (error) {
        return fail(`Failed to update task status: ${errorText(error)}`);
      }
    case 'update':
      try {
        const task = await manager.updateTask(session, id, call.name, call.description);
        return succeed(updatedText(task.id, call.name, call.description));
      } catch (error) {
        return fail(`Failed to update task: ${errorText(error)}`);
      }
    case 'delete':
      try {
        return succeed(deletedText(await manager.deleteTask(session, id)));
      } catch (error) {
        return fail(`Failed to delete task: ${errorText(error)}`);
      }
    case 'list':
      try {
        return succeed(listText(await manager.listTasks(session)));
      } catch (error) {
        return fail(`Failed to list tasks: ${errorText(error)}`);
      }
    case 'get_hierarchy':
      try {
        return succeed(hierarchyText(await manager.getHierarchy(session)));
      } catch (error) {
        return fail(`Failed to get task hierarchy: ${errorText(error)}`);
      }
  }
}

async function knownIds(manager: TaskManager, session: string): Promise<(id: string) => boolean> {
  try {
    const list = await manager.loadTaskList(session);
    return (id) => list.hasTask(id);
  } catch {
    // An unreadable session: ids are taken as written and the operation reports the problem.
    return () => false;
  }
}

async function executeCall(manager: TaskManager, options: TaskToolOptions, forced: TaskOperation | null, run: RunState, raw: unknown): Promise<TaskToolResult> {
  const parsed = readRawArguments(raw);
  if (!parsed.ok) return fail(`Invalid arguments: ${parsed.message}`);
  const session = await resolveSession(options.sessionId);
  if (session === null) return fail(NO_SESSION_TEXT);
  const call = readTaskCall(parsed.args, forced, await knownIds(manager, session));
  if (!(TASK_OPERATIONS as readonly string[]).includes(call.operation)) return fail(unknownOperationText(call.operation));
  const kind = watchedKind(call.operation);
  const problem = malformation(call);
  if (problem !== null) {
    if (kind !== null && run.hasFailed(kind)) return fail(loopBreakerText(kind, problem.endsWith('.') ? problem : `${problem}.`));
    run.failed(kind);
    return fail(problem);
  }
  return perform(manager, session, call);
}

/** Checks what {@link createTaskTool} and {@link createTaskTools} are given. */
function checkToolInputs(manager: unknown, options: unknown): asserts options is TaskToolOptions {
  if (manager === null || typeof manager !== 'object' || typeof (manager as TaskManager).createTask !== 'function') {
    throw new InvalidInputError('the task tool needs a TaskManager');
  }
  if (options === null || typeof options !== 'object') throw new InvalidInputError('the task tool needs options with a sessionId');
  const { sessionId, schema } = options as Partial<TaskToolOptions>;
  if (sessionId != null && typeof sessionId !== 'string' && typeof sessionId !== 'function') {
    throw new InvalidInputError(`sessionId must be a string, a function or null, got ${typeof sessionId}`);
  }
  if (schema !== undefined && schema !== 'original' && schema !== 'flat') {
    throw new InvalidInputError(`schema must be 'original' or 'flat', got ${JSON.stringify(schema)}`);
  }
}

function makeTool(manager: TaskManager, options: TaskToolOptions, name: TaskToolName, run: RunState): TaskTool {
  const forced = TASK_TOOL_ALIASES[name];
  return {
    name,
    description: taskToolDescription(name),
    inputSchema: taskToolInputSchema(name, options.schema ?? 'original'),
    async execute(args: unknown): Promise<TaskToolResult> {
      try {
        return await executeCall(manager, options, forced, run, args);
      } catch (error) {
        return fail(`Task tool failed: ${errorText(error)}`);
      }
    },
    resetRun(): void {
      run.reset();
    },
  };
}

/**
 * The `task` tool for one session: `{ name: 'task', description, inputSchema, execute }`.
 * Its loop breaker remembers failures for the tool's lifetime (one run); call `resetRun()` to
 * start a new run.
 */
export function createTaskTool(manager: TaskManager, options: TaskToolOptions): TaskTool {
  checkToolInputs(manager, options);
  return makeTool(manager, options, 'task', new RunState());
}

/**
 * The `task` tool and its aliases (`tasks`, `task_create`, `task_update_status`, `task_update`,
 * `task_delete`, `task_list`, `task_get_hierarchy`), sharing one run for the loop breaker.
 * `names` picks which ones (default: all, `task` first).
 */
export function createTaskTools(manager: TaskManager, options: TaskToolOptions & { readonly names?: readonly TaskToolName[] }): TaskTool[] {
  checkToolInputs(manager, options);
  const run = new RunState();
  const names = options.names ?? (Object.keys(TASK_TOOL_ALIASES) as TaskToolName[]);
  return names.map((name) => {
    if (!Object.hasOwn(TASK_TOOL_ALIASES, name)) throw new InvalidInputError(`unknown task tool name '${String(name)}'`);
    return makeTool(manager, options, name, run);
  });
}
