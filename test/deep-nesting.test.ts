/**
 * Deeply nested JSON never crashes: a task file nested deeper than the Rust reader's limit (127
 * levels) is refused with a Serialization error naming the field path and the depth, never a stack
 * overflow or an I/O "unexpected failure"; the JSON helpers work on any depth without recursion.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TaskIoError, TaskSerializationError, parseRequirementBreakdownResponse } from '../src/index.js';
import { MAX_DOCUMENT_DEPTH, exceedsDepth } from '../src/json/depth.js';
import { JsonSyntaxError, parseJsonText } from '../src/json/parse.js';
import { JsonDepthError, printJson } from '../src/json/print.js';
import { rawNumberText, transferRawNumbers } from '../src/json/raw-numbers.js';
import { cloneJson, findJsonProblem } from '../src/json/value.js';
import { caught, cleanTempDirsAfterEach, deterministicManager } from './helpers/env.js';

cleanTempDirsAfterEach();

/** `levels` nested objects (`{"k": … 1 …}`), as text. */
const nestedObjects = (levels: number): string => `${'{"k":'.repeat(levels)}1${'}'.repeat(levels)}`;
/** `levels` nested arrays, as text. */
const nestedArrays = (levels: number): string => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

function deepValue(levels: number): unknown {
  let v: unknown = 1.5;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

/** A session file whose only task has `metadataText` as its metadata (document depth = 3 + metadata depth). */
async function plantMetadata(metadataText: string) {
  const { manager, dir } = deterministicManager();
  const task = await manager.createTask('s', 'target', 'x');
  const file = manager.sessionPath('s');
  const original = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, original.replace('"metadata": null', `"metadata": ${metadataText}`));
  return { manager, dir, task, file, original };
}

describe('task files nested too deep', () => {
  it('a file at the limit (127 levels) loads and is written back byte for byte', async () => {
    const text = nestedObjects(MAX_DOCUMENT_DEPTH - 3);
    const { manager, file, task } = await plantMetadata(text);
    expect(await manager.listTasks('s')).toHaveLength(1);
    await manager.createTask('s', 'other', 'y');
    const written = fs.readFileSync(file);
    expect((await manager.getTask('s', task.id))?.metadata).toEqual(JSON.parse(text));
    const again = await manager.createTask('s', 'again', 'z');
    await manager.deleteTask('s', again.id);
    expect(fs.readFileSync(file).equals(written)).toBe(true);
  });

  for (const levels of [MAX_DOCUMENT_DEPTH - 2, 1000, 3000, 5000, 100_000]) {
    for (const [shape, text] of [
      ['objects', nestedObjects(levels)],
      ['arrays', nestedArrays(levels)],
      ['objects, with an exact number elsewhere', `{"n": 1.0, "deep": ${nestedObjects(levels)}}`],
    ] as const) {
      it(`metadata ${levels} levels deep (${shape}) is refused on read with the path and depth; nothing is written`, async () => {
        const { manager, file } = await plantMetadata(text);
        const before = fs.readFileSync(file);
        for (const attempt of [() => manager.listTasks('s'), () => manager.createTask('s', 'x', 'y')]) {
          const error = await caught(attempt);
          expect(error).toBeInstanceOf(TaskSerializationError);
          expect(error).not.toBeInstanceOf(TaskIoError);
          expect(error.message).toMatch(/nested 128 levels deep; at most 127 levels can be read/);
          expect((error as TaskSerializationError).fieldPath).toMatch(/^tasks\[0\]\.metadata(\.deep)?(\.k|\[0\])+$/);
        }
        expect(fs.readFileSync(file).equals(before)).toBe(true);
      });
    }
  }

  it('a 3,000-deep file in one session leaves other sessions working, and the session works once repaired', async () => {
    const { manager, task, file, original } = await plantMetadata(nestedObjects(3000));
    await expect(manager.listTasks('s')).rejects.toBeInstanceOf(TaskSerializationError);
    const elsewhere = await manager.createTask('other', 'fine', 'x');
    await manager.updateTaskStatus('other', elsewhere.id, 'Completed');
    fs.writeFileSync(file, original.replace('"metadata": null', '"metadata": {"k": 1}'));
    expect((await manager.getTask('s', task.id))?.metadata).toEqual({ k: 1 });
    await manager.updateTaskStatus('s', task.id, 'InProgress');
  });
});

describe('JSON helpers on deep values', () => {
  it('parseJsonText refuses deep text of any size with the path, never a RangeError', () => {
    for (const text of [nestedArrays(1_000_000), '['.repeat(1_000_000), nestedObjects(200_000), `[1.0, ${nestedArrays(10_000)}]`]) {
      let error: unknown;
      try {
        parseJsonText(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(JsonSyntaxError);
      expect((error as JsonSyntaxError).message).toMatch(/nested 128 levels deep/);
    }
    expect(exceedsDepth(parseJsonText(nestedArrays(127)), 127)).toBe(false);
  });

  it('printJson refuses what could not be read back, without a stack overflow', () => {
    expect(() => printJson(deepValue(127))).not.toThrow();
    for (const levels of [128, 100_000]) {
      const value = deepValue(levels);
      expect(() => printJson(value)).toThrow(JsonDepthError);
    }
  });

  it('cloneJson, transferRawNumbers and findJsonProblem work on 100,000 levels', () => {
    const value = deepValue(100_000);
    const copy = cloneJson(value);
    expect(copy !== value).toBe(true);
    let a = value as Record<string, unknown> | unknown[];
    let b = copy as Record<string, unknown> | unknown[];
    for (let i = 99_999; i >= 0; i--) {
      a = (i % 2 ? (a as unknown[])[0] : (a as Record<string, unknown>).k) as typeof a;
      b = (i % 2 ? (b as unknown[])[0] : (b as Record<string, unknown>).k) as typeof b;
      if (typeof a === 'object') expect(a !== b).toBe(true);
    }
    expect(b).toBe(1.5);
    const parsed = parseJsonText('{"a": [1.0]}', { maxDepth: 10 }) as { a: number[] };
    let from: unknown = parsed;
    let to: unknown = { a: [1] };
    for (let i = 0; i < 100_000; i++) {
      from = [from];
      to = [to];
    }
    transferRawNumbers(from, to);
    let inner = to as unknown[];
    for (let i = 0; i < 100_000; i++) inner = inner[0] as unknown[];
    expect(rawNumberText((inner as unknown as { a: number[] }).a, '0', 1)).toBe('1.0');
    expect(findJsonProblem(value, 'metadata')?.problem).toMatch(/nested deeper than 100 levels/);
  });
});

describe('planner text nested too deep', () => {
  // Each of these used to be built in full (or overflow the stack) before being refused; now the
  // nesting is refused after reading 128 brackets, whatever the size (linear: see npm run bench).
  const TEN_MB = 10_000_000;
  for (const [label, text] of [
    ['10 MB of [', '['.repeat(TEN_MB)],
    ['5 MB of [ then 5 MB of ]', `${'['.repeat(TEN_MB / 2)}${']'.repeat(TEN_MB / 2)}`],
    ['text, 10 MB of [, then ]', `Plan: ${'['.repeat(TEN_MB)}]`],
    ['[1, repeated', `${'[1,'.repeat(TEN_MB / 3)}1]`],
    ['objects', `[${'{"a":'.repeat(TEN_MB / 5)}1${'}'.repeat(TEN_MB / 5)}]`],
  ] as const) {
    it(`${label}: a Serialization error about the nesting depth`, () => {
      let error: unknown;
      try {
        parseRequirementBreakdownResponse(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TaskSerializationError);
      expect((error as Error).message).toMatch(/nested 128 levels deep|did not contain a closing JSON array bracket/);
      expect((error as Error).message).not.toMatch(/RangeError|call stack/);
    });
  }

  it('a planner reply nested within the limit still parses', () => {
    const spec = { name: 'a', description: 'd', priority: 'High', is_blocking: false, extra: JSON.parse(nestedArrays(120)) as unknown };
    expect(parseRequirementBreakdownResponse(`Here: ${JSON.stringify([spec])} done`)[0]!.priority).toBe('high');
  });
});
