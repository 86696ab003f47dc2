/**
 * Campaign item 4: hostile input. Session ids never make the library create, read, lock or delete
 * anything outside its tasks directory (README guarantee 6); names, descriptions and metadata that are huge,
 * deeply nested or not JSON are rejected or stored intact, never half written (README guarantee 8); planner
 * text never throws anything but a TaskError (README guarantee 11).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  TaskError,
  TaskList,
  TaskManager,
  parseRequirementBreakdownResponse,
  type JsonValue,
} from '../../src/index.js';
import { LONG, diffSnapshots, removeTempDirs, snapshotTree, tempDir } from './harness.js';

afterAll(removeTempDirs);

const SEPARATORS = ['/', '\\', ':', '\0', '\u2215', '\u2044', '\uff0f', '\uff3c', '\u29f5', '\u2216', '\ufe68'];
const DEVICES = ['CON', 'con', 'PRN', 'AUX', 'NUL', 'nul', 'COM1', 'com9', 'LPT1', 'lpt9', 'CON.json', 'nul.txt', 'Com1.tar.gz', 'AUX.'];

/** The hostile session ids: traversal, absolute paths, NUL, separators, look-alikes, lengths, devices. */
function hostileIds(victim: string): string[] {
  const ids = new Set<string>([
    '', '.', '..', '...', '.hidden', '.gestura', '../victim', '../../victim', '../../../victim', '..\\victim', '..\\..\\victim',
    `../${path.basename(victim)}`, victim, `${victim}/x`, '/etc/passwd', '/tmp', 'C:\\Windows\\System32', 'C:', 'c:victim',
    '\\\\server\\share\\victim', '\\\\?\\C:\\victim', '//server/share', 'file:///etc/passwd', '~', '~root', '$HOME', '%APPDATA%',
    'a\0b', '\0', 'victim\0.json', 'a/../../b', 'a/./b', 'tasks/../../victim', ' ', ' victim', 'victim ', 'a b', '\t', '\n', 'a\nb',
    '\u202eevil', 'ses\u200bsion', 'ses\u00adsion', '\ufeffsession', 'ѕеѕѕіоո', 'ｓｅｓｓｉｏｎ', '․․', '‥', '．．', '..\u2215victim',
    '\u2024\u2024\u2215victim', 'caf\u00e9', 'cafe\u0301', 'İ', 'ß', '😀', '\ud800', 'a*b', 'a?b', 'a|b', 'a<b', 'a>b', 'a"b', "a'b",
    'a;rm -rf', '$(touch x)', '`touch x`', 'victim.json', 'x.json.lock', 'x'.repeat(129), 'x'.repeat(10_000), 'a'.repeat(128),
    '-', '_', '-rf', '--help', 'a..b', 'a.', 'a.json', 'A', 'session.lock',
    ...SEPARATORS.flatMap((s) => [`a${s}b`, `..${s}victim`, `${s}victim`, `victim${s}`]),
    ...DEVICES,
  ]);
  return [...ids];
}

const VALID_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const DEVICE = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$/i;

function taskListJson(session: string, name: string): string {
  return JSON.stringify({ session_id: session, tasks: [{ id: 'planted', name, description: '', status: 'NotStarted', parent_id: null, sort_order: 0, created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', session_id: session, source: 'User', orchestrator_task_id: null, agent_id: null, metadata: null }] }, null, 2);
}

/** Every session-taking operation once. */
function operations(m: TaskManager, id: string): [string, () => Promise<unknown>][] {
  return [
    ['sessionPath', async () => m.sessionPath(id)],
    ['listTasks', () => m.listTasks(id)],
    ['loadTaskList', () => m.loadTaskList(id)],
    ['getTask', () => m.getTask(id, 'planted')],
    ['getTaskTree', () => m.getTaskTree(id)],
    ['createTask', () => m.createTask(id, 'hostile', 'x')],
    ['updateTaskStatus', () => m.updateTaskStatus(id, 'planted', 'Completed')],
    ['deleteTask', () => m.deleteTask(id, 'planted')],
    ['setCurrentTaskId', () => m.setCurrentTaskId(id, null)],
    ['batch', () => m.batch(id, (tx) => tx.createTask('in batch', 'x'))],
    ['replaceTaskList', () => m.replaceTaskList(id, new TaskList('victim'))],
    ['materialize', () => m.materializeRequirementBreakdown(id, [{ name: 'a', description: 'b', priority: 'high', is_blocking: false, parent_name: null }])],
  ];
}

describe('hostile session ids', () => {
  it('never touch anything outside the tasks directory (whole temp tree snapshotted)', async () => {
    const root = tempDir('hostile');
    const baseDir = path.join(root, 'base');
    const tasksDir = path.join(baseDir, '.gestura', 'tasks');
    fs.mkdirSync(tasksDir, { recursive: true });
    // Planted files a traversal would read, overwrite, lock or delete.
    const victim = path.join(root, 'victim.json');
    fs.writeFileSync(victim, taskListJson('victim', 'PLANTED OUTSIDE'));
    fs.writeFileSync(path.join(baseDir, '.gestura', 'victim.json'), taskListJson('victim', 'PLANTED OUTSIDE'));
    fs.writeFileSync(path.join(baseDir, 'victim.json'), taskListJson('victim', 'PLANTED OUTSIDE'));
    fs.mkdirSync(path.join(root, 'victim'));
    fs.writeFileSync(path.join(root, 'victim', 'x.json'), taskListJson('x', 'PLANTED OUTSIDE'));
    const outside = (): Map<string, unknown> => {
      const snap = snapshotTree(root);
      for (const key of [...snap.keys()]) if (key === path.relative(root, tasksDir) || key.startsWith(`${path.relative(root, tasksDir)}${path.sep}`)) snap.delete(key);
      return snap as Map<string, never>;
    };
    const before = outside();
    const m = new TaskManager(baseDir);
    const ids = hostileIds(victim);
    let refused = 0;
    let accepted = 0;
    for (const id of ids) {
      const valid = VALID_ID.test(id) && !DEVICE.test(id);
      for (const [what, op] of operations(m, id)) {
        const outcome = await op().then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        if (!valid) {
          expect(outcome.ok, `${what}(${JSON.stringify(id)}) was accepted`).toBe(false);
          expect((outcome as { e: unknown }).e, `${what}(${JSON.stringify(id)})`).toBeInstanceOf(InvalidInputError);
        } else if (outcome.ok) {
          // Whatever an accepted id reads, it is never a planted file from outside.
          expect(JSON.stringify(outcome.v) ?? '').not.toContain('PLANTED OUTSIDE');
        } else {
          expect((outcome as { e: unknown }).e).toBeInstanceOf(TaskError);
        }
      }
      if (valid) {
        accepted++;
        expect(path.dirname(m.sessionPath(id))).toBe(tasksDir);
      } else refused++;
    }
    expect(diffSnapshots(before as never, outside() as never)).toEqual([]);
    // Inside the tasks directory: only session files of accepted ids, no lock or temp file.
    for (const name of fs.readdirSync(tasksDir)) {
      expect(name.endsWith('.json')).toBe(true);
      expect(ids).toContain(name.slice(0, -5));
    }
    console.info(`[campaign] hostile ids: ${ids.length} ids (${refused} refused, ${accepted} valid) × ${operations(m, 'x').length} operations`);
    expect(refused).toBeGreaterThan(100);
  });

  it(`fast-check: arbitrary strings as session ids are refused or stay inside (${LONG ? 20000 : 2000} runs)`, { timeout: LONG ? 600_000 : 60_000 }, async () => {
    const baseDir = tempDir('hostile-fc');
    const m = new TaskManager(baseDir);
    const tasksDir = path.join(baseDir, '.gestura', 'tasks');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 140 }), fc.stringMatching(/^[A-Za-z0-9._\-/\\:]{0,140}$/), fc.constantFrom(...hostileIds('/tmp/victim'))),
        async (id) => {
          const valid = VALID_ID.test(id) && !DEVICE.test(id);
          const outcome = await m.listTasks(id).then(
            () => null,
            (e: unknown) => e,
          );
          if (valid) {
            expect(outcome).toBeNull();
            expect(path.dirname(m.sessionPath(id))).toBe(tasksDir);
          } else {
            expect(outcome).toBeInstanceOf(InvalidInputError);
            expect(() => m.sessionPath(id)).toThrow(InvalidInputError);
          }
        },
      ),
      { numRuns: LONG ? 20_000 : 2000, seed: 17 },
    );
    expect(fs.existsSync(baseDir) ? fs.readdirSync(baseDir) : []).toEqual([]);
  });
});

/** The session file's bytes, or null. */
function bytesOf(m: TaskManager, session: string): string | null {
  const file = m.sessionPath(session);
  return fs.existsSync(file) ? fs.readFileSync(file).toString('hex') : null;
}

/** Runs `op`; it must either throw InvalidInputError with the file unchanged, or store exactly `expected`. */
async function rejectedOrIntact(m: TaskManager, baseDir: string, label: string, op: () => Promise<{ id: string }>, read: (t: unknown) => unknown, expected: unknown): Promise<'rejected' | 'stored'> {
  const before = bytesOf(m, 's');
  const outcome = await op().then(
    (t) => ({ ok: true as const, t }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (!outcome.ok) {
    expect(outcome.e, label).toBeInstanceOf(InvalidInputError);
    expect(bytesOf(m, 's'), `${label}: file changed by a rejected call`).toBe(before);
    return 'rejected';
  }
  const fresh = new TaskManager(baseDir);
  const stored = await fresh.getTask('s', outcome.t.id);
  expect(read(stored), label).toEqual(expected);
  JSON.parse(fs.readFileSync(m.sessionPath('s'), 'utf8'));
  return 'stored';
}

describe('hostile names, descriptions and metadata', () => {
  it('huge and odd strings are stored intact', { timeout: 120_000 }, async () => {
    const baseDir = tempDir('huge');
    const m = new TaskManager(baseDir);
    const strings = [
      'x'.repeat(5_000_000),
      '😀'.repeat(200_000),
      '\u0000\u0001\u001f\u007f\u2028\u2029"\\/\b\f\n\r\t',
      '</script><!-- ]]> {{ }} ${x} %s %n',
      '\ufeffBOM in the middle\ufeff',
      '<<<<<<< HEAD\n=======\n>>>>>>> x',
      'e\u0301 vs \u00e9 \u202e RTL',
    ];
    for (const s of strings) {
      const name = `n${s}`;
      expect(await rejectedOrIntact(m, baseDir, `string of ${s.length}`, () => m.createTask('s', name, s), (t) => [(t as { name: string }).name, (t as { description: string }).description], [name, s])).toBe('stored');
    }
  });

  it('strings that are not well-formed Unicode and non-strings are rejected before anything is written', async () => {
    const baseDir = tempDir('badstr');
    const m = new TaskManager(baseDir);
    await m.createTask('s', 'existing', 'x');
    const bad: unknown[] = ['\ud800', 'a\udfffb', `${'x'.repeat(100_000)}\ud83d`, 42, null, undefined, {}, ['a'], Symbol('x'), () => 'x', 10n, '   ', ''];
    for (const value of bad) {
      const asName = await rejectedOrIntact(m, baseDir, `name ${String(typeof value)}`, () => m.createTask('s', value as string, 'ok'), () => null, null);
      expect(asName).toBe('rejected');
      if (typeof value === 'string' && value.trim() !== '' && value.isWellFormed()) continue;
      if (value === '' || value === '   ') continue; // an empty description is valid
      expect(await rejectedOrIntact(m, baseDir, 'description', () => m.createTask('s', 'ok', value as string), () => null, null)).toBe('rejected');
    }
  });

  it('metadata: not-JSON values are rejected, deep and huge JSON rejected or stored intact', { timeout: 120_000 }, async () => {
    const baseDir = tempDir('meta');
    const m = new TaskManager(baseDir);
    const task = await m.createTask('s', 'target', 'x', null);
    const nest = (depth: number): JsonValue => {
      let v: JsonValue = 'bottom';
      for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
      return v;
    };
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const sparse: unknown[] = [1, , 3]; // eslint-disable-line no-sparse-arrays
    let flips = 0;
    const shifty = {
      get value(): unknown {
        flips++;
        return flips % 2 === 1 ? 'json' : () => 'not json';
      },
    };
    const throwing = {
      get value(): unknown {
        throw new Error('getter exploded');
      },
    };
    const notJson: [string, unknown][] = [
      ['undefined', undefined],
      ['function', () => 1],
      ['NaN', Number.NaN],
      ['Infinity', { x: Number.POSITIVE_INFINITY }],
      ['BigInt', { x: 10n }],
      ['symbol', { x: Symbol('s') }],
      ['symbol key', { [Symbol('k')]: 1 }],
      ['cycle', cyclic],
      ['Date', new Date()],
      ['Map', new Map([[1, 2]])],
      ['class instance', new (class Point { x = 1; })()],
      ['sparse array', sparse],
      ['lone surrogate value', { x: '\udc00' }],
      ['lone surrogate key', { ['\ud800']: 1 }],
      ['too deep (101 levels)', nest(101)],
      ['far too deep (100000 levels)', nest(100_000)],
      ['getter that throws', throwing],
      ['proxy that throws', new Proxy({}, { ownKeys: () => { throw new Error('proxy'); } })],
    ];
    const results: Record<string, string> = {};
    for (const [label, value] of notJson) {
      results[label] = await rejectedOrIntact(m, baseDir, label, () => m.updateTaskMetadata('s', task.id, value as JsonValue), () => null, null);
      expect(results[label], label).toBe('rejected');
    }
    // A getter that changes its answer: validated once, copied once; either way what is stored is JSON.
    const shiftyOutcome = await m.updateTaskMetadata('s', task.id, shifty as never).then(
      (t) => t.metadata,
      (e: unknown) => e,
    );
    // (The value is checked, then copied: a getter that turns into a function between the two is
    // caught when the list is printed, as a Serialization error, before anything is written.)
    if (shiftyOutcome instanceof Error) expect(shiftyOutcome.constructor.name).toMatch(/^(InvalidInputError|TaskSerializationError)$/);
    const fresh = await new TaskManager(baseDir).getTask('s', task.id);
    expect(fresh?.metadata).toEqual(shiftyOutcome instanceof Error ? null : shiftyOutcome);
    expect(typeof (fresh?.metadata as { value?: unknown } | null)?.value).not.toBe('function');

    const fine: [string, JsonValue][] = [
      ['100 levels deep', nest(100)],
      ['__proto__ key', JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}') as JsonValue],
      ['200k-element array', Array.from({ length: 200_000 }, (_, i) => i)],
      ['wide object', Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, { i }]))],
      ['odd numbers', { tiny: 5e-324, huge: 1.7976931348623157e308, exp: 1e21, frac: 0.1}], // (-0 is written as 0, as JSON.stringify does)
      ['empty key', { '': { '': [] } }],
    ];
    for (const [label, value] of fine) {
      expect(await rejectedOrIntact(m, baseDir, label, () => m.updateTaskMetadata('s', task.id, value), (t) => (t as { metadata: unknown }).metadata, value), label).toBe('stored');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('timestamps chrono would refuse are rejected; offsets are stored as UTC', async () => {
    const baseDir = tempDir('ts');
    const m = new TaskManager(baseDir);
    const task = await m.createTask('s', 'target', 'x');
    for (const recorded_at of ['2024-02-30T00:00:00Z', '2023-02-29T12:00:00Z', '2024-04-31T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00+24:00']) {
      const before = bytesOf(m, 's');
      await expect(m.recordMemoryEvent('s', task.id, { phase: 'handoff', summary: 'x', recorded_at })).rejects.toBeInstanceOf(InvalidInputError);
      expect(bytesOf(m, 's')).toBe(before);
    }
    const lifecycle = await m.recordMemoryEvent('s', task.id, { phase: 'handoff', summary: 'x', recorded_at: '2024-12-31T23:30:00.5-01:00' });
    expect(lifecycle.events[0]!.recorded_at).toBe('2025-01-01T00:30:00.500000000Z');
    expect(fs.readFileSync(m.sessionPath('s'), 'utf8')).toContain('"recorded_at": "2025-01-01T00:30:00.500000000Z"');
  });
});

describe('planner text', () => {
  const RUNS = LONG ? 200_000 : 5000;
  const specText = fc
    .array(
      fc.record(
        {
          name: fc.oneof(fc.string(), fc.constantFrom('a', 'b', ' a ', '')),
          description: fc.oneof(fc.string(), fc.constant('d')),
          priority: fc.oneof(fc.string(), fc.constant('HIGH')),
          is_blocking: fc.oneof(fc.boolean(), fc.constant('yes' as unknown as boolean)),
          parent_name: fc.oneof(fc.constant(null), fc.constantFrom('a', 'b', ''), fc.string()),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 5 },
    )
    .map((specs) => JSON.stringify(specs));
  const noise = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('[', ']', '][', '[[', ']]', '{', '}', '"', '```json\n', '\n```', 'Here is the plan:', '\\', '\ud800', '\u0000'));
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    specText,
    fc.tuple(noise, specText, noise).map(([a, b, c]) => `${a}${b}${c}`),
    fc.tuple(specText, fc.nat(), fc.nat()).map(([s, i, j]) => s.slice(Math.min(i, j) % (s.length + 1), Math.max(i, j) % (s.length + 1))),
    fc.array(fc.constantFrom('[', ']', '{', '}', ',', '"', ':', 'null', '1e999', '-', ' '), { maxLength: 60 }).map((parts) => parts.join('')),
    fc.jsonValue().map((v) => JSON.stringify(v)),
  );

  it(`never throws anything but a TaskError (${RUNS} runs)`, { timeout: LONG ? 1_800_000 : 60_000 }, () => {
    let parsed = 0;
    fc.assert(
      fc.property(text, (t) => {
        try {
          const specs = parseRequirementBreakdownResponse(t);
          expect(specs.length).toBeGreaterThan(0);
          parsed++;
        } catch (error) {
          if (!(error instanceof TaskError)) throw error;
          expect(['Serialization', 'InvalidInput']).toContain(error.kind);
        }
      }),
      { numRuns: RUNS, seed: 31337 },
    );
    expect(parsed).toBeGreaterThan(0);
  });

  it('pathological texts: deep nesting, huge, non-strings', { timeout: 60_000 }, () => {
    const cases: unknown[] = [
      '['.repeat(1_000_000),
      `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
      `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
      `[${'{"name":"n","description":"d","priority":"p","is_blocking":false},'.repeat(1)}]`,
      `]${'x'.repeat(1_000_000)}[`,
      `[${'1,'.repeat(500_000)}1]`,
      '[{"name":"a","description":"d","priority":"p","is_blocking":false,"parent_name":"a"}]',
      '[{"name":"__proto__","description":"d","priority":"p","is_blocking":false}]',
      null, undefined, 42, {}, ['[]'], Symbol('x'),
    ];
    for (const c of cases) {
      try {
        parseRequirementBreakdownResponse(c as string);
      } catch (error) {
        expect(error, String(typeof c === 'string' ? c.slice(0, 40) : typeof c)).toBeInstanceOf(TaskError);
      }
    }
  });
});
