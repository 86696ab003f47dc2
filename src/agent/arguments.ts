/**
 * Lenient reading of the arguments a model sends to the `task` tool (README "Agents"): JSON text
 * or an object, XML-ish fragments inside values, aliases, placeholder names, embedded ids and
 * loosely written statuses. Pure: the only outside knowledge is the set of task ids of the session.
 */
import type { TaskStatus } from '../schema/enums.js';
import { parseAgentStatus, statusFromPhrase } from './status-text.js';

/** The operations of the `task` tool. */
export const TASK_OPERATIONS = ['create', 'update_status', 'update', 'delete', 'list', 'get_hierarchy'] as const;
/** One operation of the `task` tool. */
export type TaskOperation = (typeof TASK_OPERATIONS)[number];

/** Raw arguments as an object, or why they could not be read. */
export type RawArguments = { ok: true; args: Record<string, unknown> } | { ok: false; message: string };

const WRAPPER_KEYS = ['arguments', 'args', 'parameters', 'params', 'input'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * The raw arguments as a fresh object. JSON text is parsed (text that holds JSON text once more is
 * parsed again); nothing, `null` and empty text mean `{}`; a lone object under `arguments`,
 * `parameters`, `input` (…) is unwrapped, keys outside it winning.
 */
export function readRawArguments(raw: unknown): RawArguments {
  let value: unknown = raw;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return { ok: true, args: {} };
    try {
      value = JSON.parse(text);
      if (typeof value === 'string' && /^\s*\{/.test(value)) value = JSON.parse(value);
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }
  if (value === undefined || value === null) return { ok: true, args: {} };
  if (!isRecord(value)) return { ok: false, message: `expected a JSON object, got ${describe(value)}` };
  const args: Record<string, unknown> = {};
  for (const key of Object.keys(value)) Object.defineProperty(args, key, { value: value[key], enumerable: true, writable: true, configurable: true });
  const wrappers = WRAPPER_KEYS.filter((k) => Object.hasOwn(args, k));
  if (wrappers.length === 1) {
    const key = wrappers[0] as string;
    let inner = args[key];
    if (typeof inner === 'string') {
      try {
        inner = JSON.parse(inner);
      } catch {
        inner = null;
      }
    }
    if (isRecord(inner)) {
      delete args[key];
      for (const k of Object.keys(inner)) if (!Object.hasOwn(args, k)) args[k] = inner[k];
    }
  }
  return { ok: true, args };
}

// ------------------------------------------------------------------------------------------------
// XML-ish fragments

const PARAMETER = /<parameter\s+name\s*=\s*["']?([A-Za-z_][\w-]*)["']?\s*>([\s\S]*?)(?:<\/parameter\s*>|(?=<parameter\b)|$)/gi;
const KNOWN_TAG_KEYS = new Set([
  'operation',
  'task_id',
  'id',
  'name',
  'title',
  'description',
  'status',
  'parent_id',
]);
const SIMPLE_ELEMENT = /<([A-Za-z_][\w-]*)>([\s\S]*?)<\/\1\s*>/g;
const STRAY_TAG = /<\/?(?:parameter|invoke|function_calls|tool_call|arguments)\b[^>]*>?/gi;

/** A text value with XML-ish fragments removed, and the named values they held. */
export function mineFragments(text: string): { host: string; found: [string, string][] } {
  const found: [string, string][] = [];
  let host = text.replace(PARAMETER, (_m, key: string, value: string) => {
    found.push([key, value.trim()]);
    return ' ';
  });
  host = host.replace(SIMPLE_ELEMENT, (whole: string, key: string, value: string) => {
    if (!KNOWN_TAG_KEYS.has(key)) return whole;
    found.push([key, value.trim()]);
    return ' ';
  });
  host = host.replace(STRAY_TAG, ' ').trim();
  return { host, found };
}

/**
 * Mines every string value of `args` for fragments: the host text stays (fragments removed) and
 * each named value fills its key when that key is absent or blank. Mutates `args`.
 */
export function applyFragments(args: Record<string, unknown>): void {
  const mined: [string, string][] = [];
  for (const key of Object.keys(args)) {
    const value = args[key];
    if (typeof value !== 'string' || !value.includes('<')) continue;
    const { host, found } = mineFragments(value);
    if (found.length === 0 && host === value.trim()) continue;
    args[key] = host;
    mined.push(...found);
  }
  for (const [key, value] of mined) {
    if (cleanText(args[key]) === null) args[key] = value;
  }
}

// ------------------------------------------------------------------------------------------------
// Values

/**
 * A trimmed text value, or null for nothing, `none`, `null`, empty text and values that are not
 * text (numbers and booleans are written out).
 */
export function cleanText(value: unknown): string | null {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else return null;
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return text === '' || lower === 'none' || lower === 'null' ? null : text;
}

/** The first whitespace-separated token, ASCII-lower-cased; null when there is none. */
export function readOperation(value: unknown): string | null {
  const text = cleanText(value);
  if (text === null) return null;
  const first = text.split(/\s+/)[0] ?? '';
  return first === '' ? null : first.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
/** Our default id form: 21 characters of the nanoid alphabet, with a digit or capital (not a slug). */
const NANOID = /^[A-Za-z0-9_-]{21}$/;

/**
 * The task id inside `text`: the text itself when it is an id of the session, else an embedded
 * UUID, else the first token that is an id of the session, else the first token of our default id
 * form, else the trimmed text. Null for a blank value.
 */
export function extractId(value: unknown, isKnownId: (id: string) => boolean): string | null {
  const text = cleanText(value);
  if (text === null) return null;
  if (isKnownId(text)) return text;
  const uuid = UUID.exec(text);
  if (uuid !== null) return uuid[0];
  const tokens = text.split(/[\s"'`()[\]{},;:<>=]+/).filter((t) => t !== '');
  const known = tokens.find(isKnownId);
  if (known !== undefined) return known;
  const shaped = tokens.map((t) => t.replace(/[.!?]+$/, '')).find((t) => NANOID.test(t) && /[0-9A-Z]/.test(t));
  return shaped ?? text;
}

const PLACEHOLDER_WORDS = new Set(['none', 'null', 'n/a', 'na', 'but', 'omit', 'omitted', 'placeholder', 'untitled', 'task', 'todo', 'tbd']);

/** True for names such as `TBD`, `Untitled task` or `N/A`: at most 4 words, all placeholder words. */
export function isPlaceholderName(name: string): boolean {
  const tokens = name
    .split(/\s+/)
    .map((t) => t.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/^[^a-z0-9/]+|[^a-z0-9/]+$/g, ''))
    .filter((t) => t !== '');
  return tokens.length > 0 && tokens.length <= 4 && tokens.every((t) => PLACEHOLDER_WORDS.has(t));
}

const SLUG = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+$/;

/** A name made from a slug-like id such as `write-unit-tests` (`write unit tests`), or null. */
export function nameFromSlug(text: string): string | null {
  return SLUG.test(text) ? text.split(/[-_]+/).join(' ') : null;
}

/** The first sentence of `text`, at most 80 characters (cut at a word boundary when possible). */
export function firstSentence(text: string): string {
  const line = text.trim().split(/\r?\n/)[0] ?? '';
  const end = /[.!?](?=\s|$)/.exec(line);
  let sentence = (end === null ? line : line.slice(0, end.index)).trim();
  if (sentence.length > 80) {
    const cut = sentence.slice(0, 80);
    const space = cut.lastIndexOf(' ');
    sentence = (space >= 40 ? cut.slice(0, space) : cut).trim();
  }
  return sentence;
}

// ------------------------------------------------------------------------------------------------
// Per-operation reading

/** The fields of a call after lenient reading. */
export interface TaskCall {
  readonly operation: string;
  readonly task_id: string | null;
  readonly parent_id: string | null;
  readonly name: string | null;
  readonly description: string | null;
  readonly status: TaskStatus | null;
  /** The status text given when it could not be read as a status. */
  readonly unreadable_status: string | null;
}

const TASK_ID_ALIASES = ['id', 'taskId', 'taskID'];
const PARENT_ALIASES = ['parent_task_id', 'parentTaskId', 'parentId'];
const DESCRIPTION_ALIASES = ['desc', 'details', 'task_description', 'taskDescription', 'notes'];
const NAME_ALIASES = ['title', 'task_name', 'taskName', 'new_name', 'newName', 'label'];
const STATUS_ALIASES = ['state', 'new_status', 'newStatus', 'target_status', 'targetStatus', 'task_status', 'taskStatus'];
const NAME_SOURCES = ['title', 'task', 'task_name', 'subtask', 'summary', 'objective', 'goal'];

/** The first of `keys` whose value reads as text. */
function firstText(args: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const text = Object.hasOwn(args, key) ? cleanText(args[key]) : null;
    if (text !== null) return text;
  }
  return null;
}

/**
 * Reads a call: operation (forced by a fixed-operation alias, else the first token of
 * `operation`, else `list`), then the fields with the aliases that apply to that operation, ids
 * extracted, statuses parsed leniently (recovered from `status: …` phrases in other values when
 * missing or unreadable), and for create placeholder names dropped and a missing name derived.
 */
export function readTaskCall(
  rawArgs: Record<string, unknown>,
  forcedOperation: TaskOperation | null,
  isKnownId: (id: string) => boolean,
): TaskCall {
  const args = { ...rawArgs };
  applyFragments(args);
  const operation = forcedOperation ?? readOperation(args.operation) ?? 'list';
  const has = (key: string): boolean => Object.hasOwn(args, key);
  const text = (key: string): string | null => (has(key) ? cleanText(args[key]) : null);

  const idKeys = ['update_status', 'update', 'delete'].includes(operation) ? ['task_id', ...TASK_ID_ALIASES] : ['task_id'];
  const taskIdKey = idKeys.find((k) => has(k) && cleanText(args[k]) !== null) ?? null;
  const rawTaskId = taskIdKey === null ? null : args[taskIdKey];
  let taskId = operation === 'create' ? null : extractId(rawTaskId, isKnownId);

  const parentKeys = operation === 'create' ? ['parent_id', ...PARENT_ALIASES] : ['parent_id'];
  const parentKey = parentKeys.find((k) => has(k) && cleanText(args[k]) !== null) ?? null;
  const parentId = parentKey === null ? null : extractId(args[parentKey], isKnownId);

  const descriptionKeys = operation === 'create' || operation === 'update' ? ['description', ...DESCRIPTION_ALIASES] : ['description'];
  const description = firstText(args, descriptionKeys);

  let name = operation === 'update' ? firstText(args, ['name', ...NAME_ALIASES]) : text('name');

  const statusKeys = operation === 'update_status' ? ['status', ...STATUS_ALIASES] : ['status'];
  const statusText = firstText(args, statusKeys);
  let status = statusText === null ? null : parseAgentStatus(statusText);
  if (status === null) {
    for (const [key, value] of Object.entries(args)) {
      if (statusKeys.includes(key) || typeof value !== 'string') continue;
      status = statusFromPhrase(value);
      if (status !== null) break;
    }
  }

  if (operation === 'create') {
    if (name !== null && isPlaceholderName(name)) name = null;
    if (name === null) {
      const slug = cleanText(args.task_id);
      const candidates = [slug === null ? null : nameFromSlug(slug), ...NAME_SOURCES.map(text)];
      const fromDescription = description === null ? null : firstSentence(description);
      candidates.push(fromDescription === '' ? null : fromDescription);
      name = candidates.find((c): c is string => c !== null && !isPlaceholderName(c)) ?? null;
    }
    taskId = null;
  }

  return {
    operation,
    task_id: taskId,
    parent_id: parentId,
    name,
    description,
    status,
    unreadable_status: status === null ? statusText : null,
  };
}
