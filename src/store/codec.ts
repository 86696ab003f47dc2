/**
 * Session files to task lists and back. Writing follows the README's file format exactly (key
 * order, omissions, two-space indent, raw UTF-8, no trailing newline). Each task's printed form is
 * cached by task object (tasks are immutable in a list), so a commit re-prints only the tasks it
 * changed: O(changed tasks) printing; the store writes the cached pieces with one vectored write,
 * without concatenating them.
 */
import { TaskSerializationError } from '../errors.js';
import { JsonSyntaxError, parseJsonText } from '../json/parse.js';
import { printValueAt } from '../json/print.js';
import { MAX_DOCUMENT_DEPTH } from '../json/depth.js';
import { copyRawNumbers, transferRawNumbers } from '../json/raw-numbers.js';
import { TaskList } from '../model/task-list.js';
import { formatZodIssue } from '../model/zod-issues.js';
import { TASK_FORM } from '../schema/json-forms.js';
import type { TaskListData } from '../schema/task-list.js';
import { fastTask, fastTaskListData } from '../schema/task-list-fast.js';
import { TaskSchema, type Task } from '../schema/task.js';

/**
 * Each task's printed form as UTF-8 bytes, by task object. Bytes rather than text: a commit hands
 * the pieces to one vectored write instead of joining a large string and encoding it again, which
 * dominated commits of large lists.
 */
const printedTasks = new WeakMap<Task, Buffer>();
const TASK_INDENT = '    ';
const TASK_SEPARATOR_LENGTH = Buffer.byteLength(`,\n${TASK_INDENT}`);

/**
 * The task array and pieces last encoded per session id (a few sessions; any store), so the next
 * encoding of that session compares task objects by index instead of looking each one up.
 */
const lastEncoded = new Map<string, { readonly tasks: readonly Task[]; readonly pieces: readonly Buffer[] }>();
const LAST_ENCODED_LIMIT = 16;

/** `,\n    ` followed by the task's printed form (the separator is cut off for the first task). */
function printTask(task: Task): Buffer {
  let bytes = printedTasks.get(task);
  if (bytes === undefined) {
    bytes = Buffer.from(`,\n${TASK_INDENT}${printValueAt(task, TASK_INDENT, TASK_FORM)}`, 'utf8');
    printedTasks.set(task, bytes);
  }
  return bytes;
}

/**
 * The file content of `list` as UTF-8 byte pieces to be written in order (one per task plus head
 * and tail; the task pieces are cached, so nothing is copied): O(changed tasks) printing, O(n)
 * for the array.
 */
export function encodeTaskListChunks(list: TaskList): { chunks: Buffer[]; length: number } {
  const data = list.toJSON();
  const chunks: Buffer[] = [];
  let length = 0;
  const add = (chunk: Buffer): void => {
    chunks.push(chunk);
    length += chunk.length;
  };
  const head = ['{\n  "session_id": ', JSON.stringify(data.session_id), ',\n  "tasks": '];
  if (data.tasks.length === 0) {
    head.push('[]');
    add(Buffer.from(head.join(''), 'utf8'));
  } else {
    head.push('[\n', TASK_INDENT);
    add(Buffer.from(head.join(''), 'utf8'));
    // A commit usually changes a few tasks in place: where the task at an index is the very object
    // encoded there last time for this session, its piece is reused without a lookup.
    const previous = lastEncoded.get(data.session_id);
    const pieces: Buffer[] = new Array<Buffer>(data.tasks.length);
    for (let i = 0; i < data.tasks.length; i++) {
      const task = data.tasks[i] as Task;
      let piece = previous !== undefined && previous.tasks[i] === task ? (previous.pieces[i] as Buffer) : undefined;
      if (piece === undefined) {
        const bytes = printTask(task);
        piece = i === 0 ? bytes.subarray(TASK_SEPARATOR_LENGTH) : bytes;
      }
      pieces[i] = piece;
      add(piece);
    }
    if (lastEncoded.size >= LAST_ENCODED_LIMIT && !lastEncoded.has(data.session_id)) lastEncoded.clear();
    lastEncoded.set(data.session_id, { tasks: data.tasks, pieces });
  }
  const tail: string[] = data.tasks.length === 0 ? [] : ['\n  ]'];
  for (const entry of topEntries(data)) tail.push(',\n  ', entry);
  tail.push('\n}');
  add(Buffer.from(tail.join(''), 'utf8'));
  return { chunks, length };
}

/**
 * The file's top-level entries after `tasks` (`"key": value`, unindented first line):
 * `current_task_id` when set, then the keys this library does not know, in their order.
 */
function topEntries(data: TaskListData): string[] {
  const entries: string[] = [];
  if (data.current_task_id !== null && data.current_task_id !== undefined) {
    entries.push(`"current_task_id": ${JSON.stringify(data.current_task_id)}`);
  }
  for (const key of Object.keys(data)) {
    if (key === 'session_id' || key === 'tasks' || key === 'current_task_id') continue;
    const value = (data as Record<string, unknown>)[key];
    if (value === undefined) continue;
    entries.push(`${JSON.stringify(key)}: ${printValueAt(value, '  ', undefined, data, key)}`);
  }
  return entries;
}

// ------------------------------------------------------------------------------------------------
// Pieces, for stores that keep each task apart (src/store/postgres/): the same printed forms as the
// file, so a list moved between stores keeps its bytes.

/**
 * The task's printed form exactly as it stands in a session file (its lines indented for its place
 * in the `tasks` array), from the per-task cache: O(size) the first time, then a copy to text.
 */
export function encodeTaskText(task: Task): string {
  return printTask(task).toString('utf8', TASK_SEPARATOR_LENGTH);
}

/**
 * The list's top-level keys other than `session_id` and `tasks` (`current_task_id` when set, then
 * unknown keys), as a JSON object laid out as in the file: `{}` when there are none.
 */
export function encodeListTop(list: TaskList): string {
  const entries = topEntries(list.toJSON());
  return entries.length === 0 ? '{}' : `{\n  ${entries.join(',\n  ')}\n}`;
}

/** The task in `text` (from {@link encodeTaskText}); `where` names it in errors. O(size). */
export function decodeTaskText(text: string, where: string): Task {
  let value: unknown;
  try {
    // Two levels (the document and its `tasks` array) sit above a task in a file.
    value = parseJsonText(text, { maxDepth: MAX_DOCUMENT_DEPTH - 2 });
  } catch (error) {
    const reason = error instanceof JsonSyntaxError ? error.message : String(error);
    throw new TaskSerializationError(`cannot parse ${where}: ${reason}`, { path: where, cause: error });
  }
  // The plain shape needs no schema (as for whole files); anything else goes through it.
  const fast = fastTask(value);
  if (fast !== undefined) {
    transferRawNumbers(value, fast);
    return fast;
  }
  const parsed = TaskSchema.safeParse(value);
  if (!parsed.success) {
    const { text: detail, path } = formatZodIssue(parsed.error);
    throw new TaskSerializationError(`invalid ${where} at ${detail}`, { path: where, fieldPath: path, cause: parsed.error });
  }
  transferRawNumbers(value, parsed.data);
  return parsed.data;
}

/**
 * The list of `sessionId` made of `tasks` (decoded with {@link decodeTaskText}, in order) and the
 * top-level keys in `topText` (from {@link encodeListTop}). O(n) for the index, O(top) to parse.
 */
export function listFromPieces(sessionId: string, tasks: Task[], topText: string, where: string): TaskList {
  let top: unknown;
  try {
    top = parseJsonText(topText, { maxDepth: MAX_DOCUMENT_DEPTH });
  } catch (error) {
    const reason = error instanceof JsonSyntaxError ? error.message : String(error);
    throw new TaskSerializationError(`cannot parse the top-level keys of ${where}: ${reason}`, { path: where, cause: error });
  }
  if (top === null || typeof top !== 'object' || Array.isArray(top)) {
    throw new TaskSerializationError(`the top-level keys of ${where} are not a JSON object`, { path: where });
  }
  const record = top as Record<string, unknown>;
  const current = record.current_task_id ?? null;
  if (current !== null && typeof current !== 'string') {
    throw new TaskSerializationError(`invalid ${where} at current_task_id: expected a string`, { path: where, fieldPath: 'current_task_id' });
  }
  const data: Record<string, unknown> = { session_id: sessionId, tasks, current_task_id: current };
  for (const key of Object.keys(record)) {
    if (key === 'session_id' || key === 'tasks' || key === 'current_task_id') continue;
    Object.defineProperty(data, key, { value: record[key], enumerable: true, writable: true, configurable: true });
  }
  copyRawNumbers(record, data);
  return TaskList.fromData(data as TaskListData);
}

/** The file content of `list` as UTF-8 bytes (what {@link encodeTaskList} returns, encoded). */
export function encodeTaskListBytes(list: TaskList): Buffer {
  const { chunks, length } = encodeTaskListChunks(list);
  return Buffer.concat(chunks, length);
}

/** The file text of `list`. */
export function encodeTaskList(list: TaskList): string {
  return encodeTaskListBytes(list).toString('utf8');
}

/**
 * The list in `text`, read from `file`. Anything unreadable is a {@link TaskSerializationError}
 * naming the file (and the field path for schema errors); nothing is ever treated as empty.
 */
export function decodeTaskList(text: string, file: string): TaskList {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new TaskSerializationError(`task file '${file}' is empty`, { path: file });
  }
  let value: unknown;
  try {
    value = parseJsonText(body);
  } catch (error) {
    const conflict = /^(<{7}|={7}|>{7})/m.test(body) ? ' (it contains merge conflict markers)' : '';
    const reason = error instanceof JsonSyntaxError ? error.message : String(error);
    const fieldPath = error instanceof JsonSyntaxError ? error.path : undefined;
    throw new TaskSerializationError(`cannot parse task file '${file}'${conflict}: ${reason}`, { path: file, fieldPath, cause: error });
  }
  // The plain shape of a file needs no schema (a short CLI call would spend most of its time
  // building and first running them); anything else, invalid or not, goes through the schema.
  const data = fastTaskListData(value);
  if (data !== undefined) {
    transferRawNumbers(value, data);
    return TaskList.fromData(data);
  }
  try {
    return TaskList.fromJSON(value);
  } catch (error) {
    if (error instanceof TaskSerializationError) {
      throw new TaskSerializationError(`invalid task file '${file}' at ${error.detail}`, {
        path: file,
        fieldPath: error.fieldPath,
        cause: error.cause,
      });
    }
    throw error;
  }
}
