/**
 * The session file's fast path (src/schema/task-list-fast.ts) answers only where the schema would
 * accept, with exactly the schema's output (values, absent keys, key order); everywhere else it
 * answers `undefined` and the schema decides. Compared on random and hostile values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTaskList } from '../src/store/codec.js';
import { builtSchemaCount } from '../src/schema/lazy.js';
import { fastTask, fastTaskListData } from '../src/schema/task-list-fast.js';
import { TaskListSchema } from '../src/schema/task-list.js';
import { TaskSchema } from '../src/schema/task.js';

/** Keys in order, recursively, so that equal values with another key order differ. */
function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (typeof value !== 'object' || value === null) return value;
  return Object.keys(value).map((key) => [key, keyOrder((value as Record<string, unknown>)[key])]);
}

/** The fast path agrees with the schema on `value`; returns whether it answered. */
function agrees(value: unknown): boolean {
  const fast = fastTaskListData(value);
  if (fast === undefined) return false;
  const parsed = TaskListSchema.safeParse(value);
  expect(parsed.success).toBe(true);
  expect(fast).toStrictEqual(parsed.data);
  expect(keyOrder(fast)).toStrictEqual(keyOrder(parsed.data));
  return true;
}

const ABSENT = Symbol('absent');

const anyJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, Number.NaN, Infinity, 1e21),
  fc.string(),
  fc.constantFrom('', '\uD800', '\uFEFF', 'NotStarted', 'User', '2024-01-02T03:04:05Z'),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string(), { maxKeys: 2 }),
);

const timestamp = fc.oneof(
  fc.constantFrom(
    '2024-01-02T03:04:05Z',
    '2024-01-02T03:04:05.123Z',
    '2024-01-02T03:04:05.123456789Z',
    '2024-01-02t03:04:05.1z',
    '2024-01-02T03:04:05+01:30',
    '0000-01-01T00:30:00+01:00',
    '9999-12-31T23:59:59-01:00',
    '2023-02-29T00:00:00Z',
    '2024-01-02T24:00:00Z',
    '2024-01-02 03:04:05Z',
    '',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

/** A value for each key: usually valid, sometimes absent, null or anything at all. */
function field<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<T | null | typeof ABSENT | unknown> {
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: anyJson });
}

const nullableId = fc.oneof(fc.constant(null), fc.string({ maxLength: 4 }));
const taskFields: [string, fc.Arbitrary<unknown>][] = [
  ['id', field(fc.string({ maxLength: 4 }))],
  ['name', field(fc.string({ maxLength: 4 }))],
  ['description', field(fc.string({ maxLength: 4 }))],
  ['status', field(fc.constantFrom('NotStarted', 'Blocked', 'InProgress', 'Completed', 'Cancelled', 'notstarted', 'Done'))],
  ['parent_id', field(nullableId)],
  ['blocked_by', field(fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }))],
  ['background_job', fc.oneof({ weight: 6, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant({ status: 'Running' }) })],
  ['sort_order', field(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }))],
  ['phase', fc.oneof({ weight: 4, arbitrary: fc.constant(ABSENT) }, { weight: 2, arbitrary: fc.string({ maxLength: 3 }) }, { weight: 1, arbitrary: anyJson })],
  ['created_at', field(timestamp)],
  ['updated_at', field(timestamp)],
  ['session_id', field(fc.string({ maxLength: 4 }))],
  ['source', field(fc.constantFrom('User', 'Agent', 'Orchestrator', 'user'))],
  ['orchestrator_task_id', field(nullableId)],
  ['agent_id', field(nullableId)],
  ['metadata', field(anyJson)],
];

/** A task-like record: its keys in the file's order or shuffled, maybe with unknown keys. */
const taskLike = fc
  .record({
    values: fc.tuple(...taskFields.map(([, arb]) => arb)),
    shuffle: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: taskFields.length, maxLength: taskFields.length }) }),
    extra: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '__proto__', 'constructor', 'toString', 'id'), anyJson) }),
  })
  .map(({ values, shuffle, extra }) => {
    const entries = taskFields.map(([key], i) => [key, values[i]] as const).filter(([, v]) => v !== ABSENT);
    if (shuffle !== null) entries.sort((a, b) => (shuffle[taskFields.findIndex(([k]) => k === a[0])] ?? 0) - (shuffle[taskFields.findIndex(([k]) => k === b[0])] ?? 0));
    // Through JSON text, as the file store hands it over (an own `__proto__` key included).
    const body = entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`);
    if (extra !== null) body.push(`${JSON.stringify(extra[0])}:${JSON.stringify(extra[1]) ?? 'null'}`);
    return JSON.parse(`{${body.join(',')}}`) as unknown;
  });

/** A valid task with a random subset of its fields taken from (or missing in) a random task-like value. */
const BASE_TASK: Record<string, unknown> = {
  id: 'a',
  name: 'n',
  description: '',
  status: 'NotStarted',
  parent_id: null,
  blocked_by: [],
  sort_order: 0,
  created_at: '2024-01-02T03:04:05Z',
  updated_at: '2024-01-02T03:04:05.5+01:00',
  session_id: 's',
  source: 'User',
  orchestrator_task_id: null,
  agent_id: null,
  metadata: null,
};
const nearValidTask = fc.tuple(taskLike, fc.subarray(Object.keys(BASE_TASK))).map(([random, keys]) => {
  const from = random as Record<string, unknown>;
  const out = JSON.parse(JSON.stringify(BASE_TASK)) as Record<string, unknown>;
  for (const key of keys) {
    if (Object.hasOwn(from, key)) out[key] = from[key];
    else delete out[key];
  }
  return out as unknown;
});

const listLike = fc
  .record({
    session_id: field(fc.string({ maxLength: 4 })),
    tasks: fc.oneof({ weight: 8, arbitrary: fc.array(taskLike, { maxLength: 4 }) }, { weight: 1, arbitrary: anyJson }),
    current_task_id: fc.oneof(fc.constant(ABSENT), nullableId, anyJson),
    extra: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('version', '__proto__'), anyJson) }),
  })
  .map(({ extra, ...fields }) => {
    const body = Object.entries(fields)
      .filter(([, v]) => v !== ABSENT)
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`);
    if (extra !== null) body.push(`${JSON.stringify(extra[0])}:${JSON.stringify(extra[1]) ?? 'null'}`);
    return JSON.parse(`{${body.join(',')}}`) as unknown;
  });

describe('session file fast path', () => {
  // First, while no schema has been built in this file's process.
  it('a file of the common shape is read without building any schema; others still get the schema\'s errors', () => {
    const text = JSON.stringify({
      session_id: 's',
      tasks: [{ id: 'a', name: 'n', description: '', status: 'InProgress', created_at: '2024-01-02T03:04:05Z', updated_at: '2024-01-02T03:04:05Z', session_id: 's' }],
    });
    const list = decodeTaskList(text, 'f.json');
    expect(list.tasks[0]).toMatchObject({ status: 'InProgress', blocked_by: [], sort_order: 0, source: 'User', metadata: null });
    expect(builtSchemaCount()).toBe(0);
    expect(() => decodeTaskList(text.replace('"InProgress"', '"Done"'), 'f.json')).toThrow(/invalid task file 'f\.json' at tasks\[0\]\.status/);
    expect(builtSchemaCount()).toBeGreaterThan(0);
  });

  it('answers only where the schema accepts, with the schema\'s exact output', () => {
    let answered = 0;
    fc.assert(
      fc.property(listLike, (value) => {
        if (agrees(value)) answered++;
      }),
      { numRuns: 3000 },
    );
    // The generator reaches the fast path often enough for the comparison to mean something.
    expect(answered).toBeGreaterThan(100);
  });

  it('for a single task (how the PostgreSQL store decodes its rows) answers only where the schema accepts, with its exact output', () => {
    let answered = 0;
    fc.assert(
      fc.property(fc.oneof(taskLike, nearValidTask), (value) => {
        const fast = fastTask(value);
        if (fast === undefined) return;
        answered++;
        const parsed = TaskSchema.safeParse(value);
        expect(parsed.success).toBe(true);
        expect(fast).toStrictEqual(parsed.data);
        expect(keyOrder(fast)).toStrictEqual(keyOrder(parsed.data));
      }),
      { numRuns: 3000 },
    );
    expect(answered).toBeGreaterThan(100);
  });

  it('leaves hostile and unusual values to the schema', () => {
    const task = {
      id: 'a',
      name: 'n',
      description: '',
      status: 'NotStarted',
      parent_id: null,
      sort_order: 0,
      created_at: '2024-01-02T03:04:05Z',
      updated_at: '2024-01-02T03:04:05Z',
      session_id: 's',
      source: 'User',
      orchestrator_task_id: null,
      agent_id: null,
      metadata: null,
    };
    const list = (t: unknown): unknown => ({ session_id: 's', tasks: [t] });
    expect(agrees(list(task))).toBe(true);
    const declined = [
      null,
      [],
      'text',
      { session_id: 's', tasks: {} },
      list(JSON.parse(`{"__proto__":{"id":"x"},${JSON.stringify(task).slice(1)}`)),
      list(Object.assign(Object.create({ inherited: 1 }) as object, task)),
      list({ ...task, background_job: { status: 'Running' } }),
      list({ ...task, unknown: 1 }),
      list({ ...task, id: '' }),
      list({ ...task, sort_order: 2 ** 31 }),
      list({ ...task, sort_order: 1.5 }),
      list({ ...task, created_at: '2023-02-29T00:00:00Z' }),
      list({ ...task, metadata: undefined }),
      list({ ...task, source: undefined }),
      list([task]),
      { ...(list(task) as object), extra: 1 },
    ];
    for (const value of declined) {
      expect(fastTaskListData(value)).toBeUndefined();
    }
    // Null-prototype objects are parsed as the schema parses them.
    expect(agrees(list(Object.assign(Object.create(null) as object, task)))).toBe(true);
  });

});
