/** Invariants of the application layer the front ends share: escaping, paging and tree views. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryTaskStore, TaskManager, TaskSerializationError } from '../src/index.js';
import { importPlan } from '../src/app/plan-import.js';
import { escapeLines, escapeText } from '../src/app/escape.js';
import { takePage } from '../src/app/paging.js';
import { writeTreeJson } from '../src/app/tree-json.js';
import { treeView } from '../src/app/tree-view.js';

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('escapeText / escapeLines', () => {
  it('leave no character a terminal acts on, keep printable text, and lose nothing', () => {
    const text = fc.string({ unit: fc.oneof(fc.integer({ min: 0, max: 0x2070 }).map((c) => String.fromCharCode(c)), fc.constantFrom('\u001b', '\n', 'é', '✓')) });
    fc.assert(
      fc.property(text, (s) => {
        const escaped = escapeText(s);
        expect(escaped).not.toMatch(UNSAFE);
        expect(escaped).not.toContain('\n');
        expect(escapeLines(s).split('\n')).toHaveLength(s.split('\n').length);
        expect(escaped.length).toBeGreaterThanOrEqual(s.length);
        if (!UNSAFE.test(s)) expect(escaped).toBe(s);
      }),
    );
  });
});

describe('takePage', () => {
  it('pages cover every item once, in order, within the limit and the budget (one item always fits)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 200 }), fc.integer({ min: 1, max: 120 }), fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }), (sizes, budget, limit) => {
        const seen: number[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard <= sizes.length + 1; guard++) {
          const page = takePage(sizes.map((size, i) => ({ i, size })), { limit, cursor }, budget, (item) => item.size);
          expect(page.total).toBe(sizes.length);
          if (limit !== undefined) expect(page.items.length).toBeLessThanOrEqual(limit);
          const bytes = page.items.reduce((sum, item) => sum + item.size, 0);
          if (page.items.length > 1) expect(bytes).toBeLessThanOrEqual(budget);
          seen.push(...page.items.map((item) => item.i));
          if (page.next_cursor === null) break;
          expect(page.items.length).toBeGreaterThan(0);
          cursor = page.next_cursor;
        }
        expect(seen).toEqual(sizes.map((_, i) => i));
      }),
    );
  });
});

describe('treeView', () => {
  it('every task is shown, counted in a note, or counted as cut off: never lost, never twice', async () => {
    // A random forest: task i's parent is one of the tasks before it, or none.
    const forest = fc.array(fc.option(fc.nat(), { nil: null }), { maxLength: 120 });
    const limits = fc.record({
      maxDepth: fc.integer({ min: 1, max: 6 }),
      maxChildren: fc.integer({ min: 1, max: 6 }),
      maxRows: fc.integer({ min: 1, max: 80 }),
    });
    await fc.assert(
      fc.asyncProperty(forest, limits, async (parents, limit) => {
        const manager = new TaskManager('.', { store: new MemoryTaskStore() });
        await manager.batch('s', (tx) => {
          const ids: string[] = [];
          for (const p of parents) {
            const parent = p === null || ids.length === 0 ? undefined : ids[p % ids.length];
            ids.push(tx.createTask(`task ${ids.length}`, '', parent).id);
          }
        });
        const view = treeView(await manager.loadTaskList('s'), { limits: limit });
        const shownIds = view.rows.flatMap((r) => (r.kind === 'task' ? [r.task.id] : []));
        expect(new Set(shownIds).size).toBe(shownIds.length);
        const noted = view.rows.reduce((sum, r) => sum + (r.kind === 'task' ? 0 : r.tasks), 0);
        expect(view.shown + noted + view.cutOff).toBe(parents.length);
        expect(view.total).toBe(parents.length);
        for (const row of view.rows) expect(row.depth).toBeLessThanOrEqual(limit.maxDepth);
        expect(view.rows.length).toBeLessThanOrEqual(limit.maxRows + 1);
      }),
    );
  });
});

describe('writeTreeJson', () => {
  it('writes exactly JSON.stringify of the forest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(fc.nat(), { nil: null }), { maxLength: 60 }), fc.string(), async (parents, name) => {
        const manager = new TaskManager('.', { store: new MemoryTaskStore() });
        if (parents.length > 0) {
          await manager.batch('s', (tx) => {
            const ids: string[] = [];
            for (const p of parents) {
              const parent = p === null || ids.length === 0 ? undefined : ids[p % ids.length];
              ids.push(tx.createTask(`${name.toWellFormed()} ${ids.length}`, '', parent).id);
            }
          });
        }
        const forest = (await manager.loadTaskList('s')).buildTree();
        let out = '';
        writeTreeJson(forest, (chunk) => (out += chunk));
        expect(out).toBe(JSON.stringify(forest));
      }),
    );
  });
});

describe('importPlan with a plan given as an array', () => {
  it('refuses one nested 400,000 deep with a Serialization error, as the same plan as text', async () => {
    let extra: unknown = 1;
    for (let i = 0; i < 400_000; i++) extra = { a: extra };
    const plan = [{ name: 'deep', description: 'x', priority: 'high', is_blocking: false, extra }];
    const manager = new TaskManager('.', { store: new MemoryTaskStore() });
    const error = await importPlan(manager, 's', plan as never).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TaskSerializationError);
    expect((error as Error).message).toMatch(/deeper than/);
    expect(await manager.listTasks('s')).toEqual([]);
  });
});
