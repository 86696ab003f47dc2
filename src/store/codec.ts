/**
 * Session files to task lists and back. Writing follows SPEC A2 exactly (key order, omissions,
 * two-space indent, raw UTF-8, no trailing newline). Each task's printed form is cached by task
 * object (tasks are immutable in a list), so a commit re-prints only the tasks it changed: O(changed
 * tasks) printing plus an O(n) join.
 */
import { TaskSerializationError } from '../errors.js';
import { JsonSyntaxError, parseJsonText } from '../json/parse.js';
import { printValueAt } from '../json/print.js';
import { TaskList } from '../model/task-list.js';
import { TASK_FORM } from '../schema/json-forms.js';
import type { Task } from '../schema/task.js';

const printedTasks = new WeakMap<Task, string>();
const TASK_INDENT = '    ';

function printTask(task: Task): string {
  let text = printedTasks.get(task);
  if (text === undefined) {
    text = printValueAt(task, TASK_INDENT, TASK_FORM);
    printedTasks.set(task, text);
  }
  return text;
}

/** The file text of `list`. */
export function encodeTaskList(list: TaskList): string {
  const data = list.toJSON();
  const parts: string[] = ['{\n  "session_id": ', JSON.stringify(data.session_id), ',\n  "tasks": '];
  if (data.tasks.length === 0) {
    parts.push('[]');
  } else {
    parts.push('[\n');
    data.tasks.forEach((task, i) => {
      parts.push(i === 0 ? TASK_INDENT : `,\n${TASK_INDENT}`, printTask(task));
    });
    parts.push('\n  ]');
  }
  if (data.current_task_id !== null && data.current_task_id !== undefined) {
    parts.push(',\n  "current_task_id": ', JSON.stringify(data.current_task_id));
  }
  for (const key of Object.keys(data)) {
    if (key === 'session_id' || key === 'tasks' || key === 'current_task_id') continue;
    const value = (data as Record<string, unknown>)[key];
    if (value === undefined) continue;
    parts.push(',\n  ', JSON.stringify(key), ': ', printValueAt(value, '  ', undefined, data, key));
  }
  parts.push('\n}');
  return parts.join('');
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
    throw new TaskSerializationError(`cannot parse task file '${file}'${conflict}: ${reason}`, { path: file, cause: error });
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
