/**
 * Campaign item 5: every file the library writes is one the Rust reader loads (docs/behaviour.md, records and their JSON forms): keys in
 * order, omitted keys omitted (never `null`), no `null` for `blocked_by` / `sort_order` / `source`,
 * timestamps RFC 3339 UTC (`Z`, 0/3/6/9 fraction digits, a real calendar instant), two-space
 * indent and no trailing newline. Generated data drives every operation that writes a record type:
 * Task, TaskList, TaskBackgroundJob, TaskMemoryEvent, TaskMemoryLifecycle,
 * TaskVerificationProfile, TaskExecutionEvidence, TaskExecutionState. The checker below is written
 * from the tables in docs/behaviour.md, independently of src/schema/json-forms.ts.
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  TaskList,
  TaskManager,
  mergeProfile,
  recordEvidence,
  type JsonValue,
  type TaskBackgroundStatus,
  type TaskExecutionEvidenceKind,
  type TaskMemoryPhase,
} from '../../src/index.js';
import { LONG, removeTempDirs, tempDir } from './harness.js';

afterAll(removeTempDirs);

type Obj = Record<string, unknown>;
type Rule = { key: string; presence: 'always' | 'omittedWhenNone' | 'omittedWhenEmpty'; check?: (v: unknown, at: string) => void };

const UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}|\d{6}|\d{9}))?Z$/;

function fail(at: string, what: string): never {
  throw new Error(`${at}: ${what}`);
}

function checkTimestamp(v: unknown, at: string): void {
  if (typeof v !== 'string') fail(at, `timestamp is ${JSON.stringify(v)}`);
  const m = UTC.exec(v);
  if (!m) fail(at, `timestamp ${v} is not RFC 3339 UTC with 0/3/6/9 fraction digits`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h || date.getUTCMinutes() !== mi || date.getUTCSeconds() !== s) {
    fail(at, `timestamp ${v} is not a real instant (chrono refuses it)`);
  }
}

const str = (v: unknown, at: string): void => void (typeof v !== 'string' && fail(at, `expected a string, got ${JSON.stringify(v)}`));
const strOrNull = (v: unknown, at: string): void => void (v !== null && typeof v !== 'string' && fail(at, `expected string or null, got ${JSON.stringify(v)}`));
const bool = (v: unknown, at: string): void => void (typeof v !== 'boolean' && fail(at, `expected a boolean, got ${JSON.stringify(v)}`));
const oneOf = (values: string[]) => (v: unknown, at: string): void => void (!values.includes(v as string) && fail(at, `${JSON.stringify(v)} is not one of ${values.join(', ')}`));
const arrayOf = (item: (v: unknown, at: string) => void) => (v: unknown, at: string): void => {
  if (!Array.isArray(v)) fail(at, `expected an array, got ${JSON.stringify(v)}`);
  v.forEach((x, i) => item(x, `${at}[${i}]`));
};

function checkRecord(value: unknown, at: string, rules: Rule[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(at, `expected an object, got ${JSON.stringify(value)}`);
  const obj = value as Obj;
  const keys = Object.keys(obj);
  const known = rules.map((r) => r.key);
  const present = keys.filter((k) => known.includes(k));
  const expectedOrder = known.filter((k) => keys.includes(k));
  if (present.join() !== expectedOrder.join()) fail(at, `keys out of order: ${present.join(', ')} (expected ${expectedOrder.join(', ')})`);
  // Unknown keys (forward compatibility) may only follow the known ones.
  const firstUnknown = keys.findIndex((k) => !known.includes(k));
  if (firstUnknown >= 0 && keys.slice(firstUnknown).some((k) => known.includes(k))) fail(at, 'a known key follows an unknown one');
  for (const rule of rules) {
    const where = `${at}.${rule.key}`;
    if (!(rule.key in obj)) {
      if (rule.presence === 'always') fail(where, 'missing (must always be written)');
      continue;
    }
    const v = obj[rule.key];
    if (rule.presence === 'omittedWhenNone' && v === null) fail(where, 'written as null (must be omitted)');
    if (rule.presence === 'omittedWhenEmpty' && (v === null || (Array.isArray(v) && v.length === 0))) fail(where, `written as ${JSON.stringify(v)} (must be omitted when empty)`);
    rule.check?.(v, where);
  }
}

const BACKGROUND_JOB: Rule[] = [
  { key: 'status', presence: 'always', check: oneOf(['Queued', 'Blocked', 'AwaitingApproval', 'Running', 'Succeeded', 'Failed', 'Cancelled']) },
  { key: 'job_id', presence: 'omittedWhenNone', check: str },
  { key: 'message', presence: 'omittedWhenNone', check: str },
];
const MEMORY_EVENT: Rule[] = [
  { key: 'phase', presence: 'always', check: oneOf(['delegated', 'handoff', 'promoted', 'blocked']) },
  { key: 'summary', presence: 'always', check: str },
  { key: 'scope', presence: 'omittedWhenNone', check: str },
  { key: 'memory_type', presence: 'omittedWhenNone', check: str },
  { key: 'memory_file_path', presence: 'omittedWhenNone', check: str },
  { key: 'recorded_at', presence: 'always', check: checkTimestamp },
];
const MEMORY_LIFECYCLE: Rule[] = [
  { key: 'events', presence: 'omittedWhenEmpty', check: arrayOf((v, at) => checkRecord(v, at, MEMORY_EVENT)) },
  { key: 'last_memory_file_path', presence: 'omittedWhenNone', check: str },
];
const PROFILE: Rule[] = [
  { key: 'execution_kind', presence: 'always', check: oneOf(['planning', 'implementation', 'verification', 'general']) },
  ...['requires_mutation', 'requires_build', 'requires_test', 'requires_external_evidence', 'requires_launch_evidence', 'parallel_safe'].map(
    (key): Rule => ({ key, presence: 'always', check: bool }),
  ),
];
const EVIDENCE: Rule[] = [
  { key: 'kind', presence: 'always', check: oneOf(['tool_activity', 'diagnostic', 'contradiction', 'blocker', 'mutation', 'build', 'test', 'artifact']) },
  { key: 'summary', presence: 'always', check: str },
  { key: 'tool_name', presence: 'omittedWhenNone', check: str },
  { key: 'command', presence: 'omittedWhenNone', check: str },
  { key: 'success', presence: 'always', check: bool },
  { key: 'recorded_at', presence: 'always', check: checkTimestamp },
];
const EXECUTION_STATE: Rule[] = [
  { key: 'verification_profile', presence: 'always', check: (v, at) => checkRecord(v, at, PROFILE) },
  ...['saw_tool_activity', 'saw_mutation', 'saw_diagnostic_progress', 'saw_contradiction', 'saw_blocker', 'build_succeeded', 'test_succeeded'].map(
    (key): Rule => ({ key, presence: 'always', check: bool }),
  ),
  { key: 'last_runtime_note', presence: 'omittedWhenNone', check: str },
  { key: 'evidence', presence: 'omittedWhenEmpty', check: arrayOf((v, at) => checkRecord(v, at, EVIDENCE)) },
];
const TASK: Rule[] = [
  { key: 'id', presence: 'always', check: (v, at) => void ((typeof v !== 'string' || v === '') && fail(at, 'id must be a non-empty string')) },
  { key: 'name', presence: 'always', check: str },
  { key: 'description', presence: 'always', check: str },
  { key: 'status', presence: 'always', check: oneOf(['NotStarted', 'Blocked', 'InProgress', 'Completed', 'Cancelled']) },
  { key: 'parent_id', presence: 'always', check: strOrNull },
  { key: 'blocked_by', presence: 'omittedWhenEmpty', check: arrayOf(str) },
  { key: 'background_job', presence: 'omittedWhenNone', check: (v, at) => checkRecord(v, at, BACKGROUND_JOB) },
  { key: 'sort_order', presence: 'always', check: (v, at) => void ((!Number.isInteger(v) || (v as number) < -(2 ** 31) || (v as number) >= 2 ** 31) && fail(at, `sort_order ${JSON.stringify(v)} is not an i32`)) },
  { key: 'phase', presence: 'omittedWhenNone', check: str },
  { key: 'created_at', presence: 'always', check: checkTimestamp },
  { key: 'updated_at', presence: 'always', check: checkTimestamp },
  { key: 'session_id', presence: 'always', check: str },
  { key: 'source', presence: 'always', check: oneOf(['User', 'Agent', 'Orchestrator']) },
  { key: 'orchestrator_task_id', presence: 'always', check: strOrNull },
  { key: 'agent_id', presence: 'always', check: strOrNull },
  {
    key: 'metadata',
    presence: 'always',
    check: (v, at) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
      const md = v as Obj;
      if ('memory_lifecycle' in md) checkRecord(md.memory_lifecycle, `${at}.memory_lifecycle`, MEMORY_LIFECYCLE);
      if ('execution_state' in md) checkRecord(md.execution_state, `${at}.execution_state`, EXECUTION_STATE);
    },
  },
];
const TASK_LIST: Rule[] = [
  { key: 'session_id', presence: 'always', check: str },
  { key: 'tasks', presence: 'always', check: arrayOf((v, at) => checkRecord(v, at, TASK)) },
  { key: 'current_task_id', presence: 'omittedWhenNone', check: str },
];

/** Checks a session file as the Rust reader would need it. */
function checkFile(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const doc = JSON.parse(text) as unknown;
  checkRecord(doc, '$', TASK_LIST);
  // Two-space pretty printing, raw UTF-8, no trailing newline (generated numbers are integers).
  expect(text).toBe(JSON.stringify(doc, null, 2));
}

// ------------------------------------------------------------------------------------------------
// Generators

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const nullable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> => fc.oneof(arb, fc.constant(null), fc.constant(undefined));
const json: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -1e9, max: 1e9 }),
    text,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'execution_state_x')), tie('v'), { maxKeys: 3 }),
  ),
})).v;

/** Valid RFC 3339 timestamps in every accepted shape: offsets, lower case, 0–9 fraction digits. */
const timestamp = fc
  .record({
    ms: fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }),
    digits: fc.integer({ min: 0, max: 9 }),
    offsetMin: fc.constantFrom(0, 0, 60, -90, 330, 23 * 60 + 59, -(23 * 60 + 59)),
    lower: fc.boolean(),
  })
  .map(({ ms, digits, offsetMin, lower }) => {
    const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
    const frac = digits === 0 ? '' : `.${String(ms % 1000).padStart(3, '0').padEnd(digits, '7').slice(0, digits)}`;
    const sign = offsetMin < 0 ? '-' : '+';
    const abs = Math.abs(offsetMin);
    const zone = offsetMin === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    const out = `${local}${frac}${zone}`;
    return lower ? out.toLowerCase() : out;
  });

const BG: TaskBackgroundStatus[] = ['Queued', 'Blocked', 'AwaitingApproval', 'Running', 'Succeeded', 'Failed', 'Cancelled'];
const PHASES: TaskMemoryPhase[] = ['delegated', 'handoff', 'promoted', 'blocked'];
const KINDS: TaskExecutionEvidenceKind[] = ['tool_activity', 'diagnostic', 'contradiction', 'blocker', 'mutation', 'build', 'test', 'artifact'];

const step = fc.oneof(
  fc.record({ op: fc.constant('create' as const), how: fc.constantFrom('plain', 'agent', 'orchestrator'), name: text.filter((s) => s.trim() !== ''), description: text, context: maybe(json), parent: fc.boolean() }),
  fc.record({ op: fc.constant('status' as const), status: fc.constantFrom('NotStarted', 'Blocked', 'InProgress', 'Completed', 'Cancelled') }),
  fc.record({ op: fc.constant('job' as const), job: maybe(fc.record({ status: fc.constantFrom(...BG), job_id: maybe(text), message: maybe(text) })) }),
  fc.record({ op: fc.constant('dependency' as const) }),
  fc.record({ op: fc.constant('current' as const), clear: fc.boolean() }),
  fc.record({ op: fc.constant('metadata' as const), metadata: maybe(json) }),
  fc.record({
    op: fc.constant('memory' as const),
    // Optional fields are absent or null (an explicit `undefined` is refused as "not JSON").
    event: fc.record(
      { phase: fc.constantFrom(...PHASES), summary: text, scope: nullable(text), memory_type: nullable(text), memory_file_path: nullable(text), recorded_at: timestamp },
      { requiredKeys: ['phase', 'summary', 'recorded_at'] },
    ),
  }),
  fc.record({
    op: fc.constant('evidence' as const),
    profile: fc.record({ execution_kind: fc.constantFrom('planning', 'implementation', 'verification', 'general'), requires_build: fc.boolean(), parallel_safe: fc.boolean() }, { requiredKeys: [] }),
    evidence: fc.record(
      { kind: fc.constantFrom(...KINDS), summary: text, tool_name: nullable(text), command: nullable(text), success: fc.boolean(), recorded_at: timestamp },
      { requiredKeys: ['kind', 'summary', 'success', 'recorded_at'] },
    ),
    note: nullable(text),
  }),
  fc.record({ op: fc.constant('result' as const), success: fc.boolean(), output: text }),
  fc.record({ op: fc.constant('breakdown' as const), names: fc.uniqueArray(text.filter((s) => s.trim() !== ''), { minLength: 1, maxLength: 3, selector: (s) => s.trim() }), priority: text }),
);

/** Generated raw task records (as a file or a caller might hold them) for replaceTaskList. */
const rawTask = fc.record({
  name: text,
  description: text,
  status: fc.constantFrom('NotStarted', 'Blocked', 'InProgress', 'Completed', 'Cancelled'),
  background_job: maybe(fc.record({ status: fc.constantFrom(...BG), job_id: maybe(text), message: maybe(text) })),
  sort_order: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }),
  phase: maybe(text),
  created_at: timestamp,
  updated_at: timestamp,
  source: fc.option(fc.constantFrom('User', 'Agent', 'Orchestrator'), { nil: undefined }),
  orchestrator_task_id: maybe(text),
  agent_id: maybe(text),
  metadata: maybe(json),
});

describe('files follow the Rust reader rules', () => {
  const RUNS = LONG ? 400 : 40;

  it(`for every record type, over ${RUNS} generated operation sequences`, { timeout: LONG ? 900_000 : 60_000 }, async () => {
    const baseDir = tempDir('forms');
    let run = 0;
    const done: Record<string, number> = {};
    const refused: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const session = `forms-${run++}`;
        const m = new TaskManager(baseDir, { durability: 'none' });
        const ids: string[] = [(await m.createTask(session, 'root', 'first')).id];
        ids.push((await m.createAgentTask(session, 'child', 'second', 'agent', ids[0])).id);
        const pick = (i: number): string | undefined => ids[i % Math.max(ids.length, 1)];
        for (const [i, s] of steps.entries()) {
          const id = pick(i * 7 + 3);
          try {
            switch (s.op) {
              case 'create': {
                const parent = s.parent ? pick(i) ?? null : null;
                const t =
                  s.how === 'plain'
                    ? await m.createTask(session, s.name, s.description, parent)
                    : s.how === 'agent'
                      ? await m.createAgentTask(session, s.name, s.description, s.description === '' ? null : 'agent', parent)
                      : await m.createOrchestratorTask(session, `orch-${i}`, 'agent', s.name, s.description, s.context);
                ids.push(t.id);
                break;
              }
              case 'status':
                if (id) await m.updateTaskStatus(session, id, s.status);
                break;
              case 'job':
                if (id) await m.setTaskBackgroundJob(session, id, s.job === null || s.job === undefined ? null : (s.job as never));
                break;
              case 'dependency':
                if (ids.length >= 2) await m.addTaskDependency(session, pick(i)!, pick(i + 1)!);
                break;
              case 'current':
                await m.setCurrentTaskId(session, s.clear ? null : id ?? null);
                break;
              case 'metadata':
                if (id) await m.updateTaskMetadata(session, id, s.metadata ?? null);
                break;
              case 'memory':
                if (id) await m.recordMemoryEvent(session, id, s.event as never);
                break;
              case 'evidence':
                if (id)
                  await m.updateExecutionState(session, id, (state) => {
                    mergeProfile(state, s.profile);
                    recordEvidence(state, s.evidence as never);
                    if (s.note !== null) state.last_runtime_note = s.note;
                    else delete state.last_runtime_note;
                  });
                break;
              case 'result':
                if (id) await m.recordTaskResult(session, id, s.success, s.output, 1, 2);
                break;
              case 'breakdown':
                await m.materializeRequirementBreakdown(
                  session,
                  s.names.map((name) => ({ name, description: `do ${name}`, priority: s.priority, is_blocking: name.length % 2 === 0, parent_name: null })),
                );
                break;
            }
          } catch (error) {
            // Refused operations (completion checks, cycles, metadata that is not an object…) are
            // fine; what was written must still be readable.
            if (!(error instanceof Error) || !('kind' in error)) throw error;
            if ((error as { kind: string }).kind === 'Io' || (error as { kind: string }).kind === 'Serialization') throw error;
            refused[s.op] = (refused[s.op] ?? 0) + 1;
            continue;
          }
          done[s.op] = (done[s.op] ?? 0) + 1;
          if (fs.existsSync(m.sessionPath(session))) checkFile(m.sessionPath(session));
        }
      }),
      { numRuns: RUNS, seed: 4242 },
    );
    console.info(`[campaign] forms: done ${JSON.stringify(done)}, refused ${JSON.stringify(refused)}`);
    for (const op of ['create', 'status', 'job', 'dependency', 'current', 'metadata', 'memory', 'evidence', 'result', 'breakdown']) {
      expect(done[op] ?? 0, `no successful ${op}`).toBeGreaterThan(0);
    }
  });

  it(`for task records given whole (replaceTaskList), over ${LONG ? 2000 : 200} generated lists`, { timeout: LONG ? 900_000 : 60_000 }, async () => {
    const baseDir = tempDir('forms-raw');
    const m = new TaskManager(baseDir, { durability: 'none' });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(rawTask, { maxLength: 4 }), fc.boolean(), async (raws, pointAtFirst) => {
        const session = `raw-${run++}`;
        const tasks = raws.map((r, i) => {
          const t: Obj = { id: `t${i}`, name: r.name, description: r.description, status: r.status, parent_id: i > 0 ? 't0' : null };
          if (i > 0) t.blocked_by = i > 1 ? ['t0'] : [];
          for (const [k, v] of Object.entries(r)) if (v !== undefined && !(k in t)) t[k] = v;
          t.session_id = session;
          return t;
        });
        const list = TaskList.fromJSON({ session_id: session, tasks, current_task_id: pointAtFirst && tasks.length > 0 ? 't0' : null });
        await m.replaceTaskList(session, list);
        checkFile(m.sessionPath(session));
      }),
      { numRuns: LONG ? 2000 : 200, seed: 99 },
    );
  });
});
