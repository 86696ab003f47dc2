import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Task } from '../src/schema/task.js';
import { planRows, POSITION_GAP } from '../src/store/postgres/positions.js';

/** Applies a plan to the rows of `basis` the way the database does, and reads them back in order. */
function applyPlan(basis: readonly Task[], basisPositions: readonly number[], next: readonly Task[]): Task[] {
  const rows = new Map<number, Task>(basis.map((t, i) => [basisPositions[i] as number, t]));
  const plan = planRows(basis, basisPositions, next);
  for (const p of plan.removed) {
    expect(rows.has(p)).toBe(true);
    rows.delete(p);
  }
  for (const i of plan.written) rows.set(plan.positions[i] as number, next[i] as Task);
  for (let i = 1; i < plan.positions.length; i++) expect(plan.positions[i] as number).toBeGreaterThan(plan.positions[i - 1] as number);
  expect(new Set(plan.removed).size).toBe(plan.removed.length);
  for (const i of plan.written) expect(plan.removed).not.toContain(plan.positions[i]);
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
}

const task = (id: string): Task => ({ id }) as unknown as Task;

describe('row plans of the PostgreSQL store', () => {
  it('writes one row for a task changed in place and none for unchanged ones', () => {
    const basis = ['a', 'b', 'c'].map(task);
    const positions = [1024, 2048, 3072];
    const next = [basis[0] as Task, task('b'), basis[2] as Task];
    const plan = planRows(basis, positions, next);
    expect(plan).toEqual({ positions, written: [1], removed: [] });
  });

  it('appends after the last position and removes only the rows of removed tasks', () => {
    const basis = ['a', 'b', 'c'].map(task);
    const plan = planRows(basis, [1024, 2048, 3072], [basis[0] as Task, basis[2] as Task, task('d')]);
    expect(plan).toEqual({ positions: [1024, 3072, 3072 + POSITION_GAP], written: [2], removed: [2048] });
  });

  it('keeps the list order for any edit sequence (inserts, removals, moves, replacements)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(6), { maxLength: 12 }), { maxLength: 8 }), (steps) => {
        let tasks: Task[] = [];
        let positions: number[] = [];
        let pool: Task[] = [];
        for (const step of steps) {
          // Build the next list from kept old tasks (by index, possibly reordered) and new ones.
          const next: Task[] = [];
          const used = new Set<Task>();
          for (const n of step) {
            const old = tasks[n];
            if (n % 3 !== 0 && old !== undefined && !used.has(old)) {
              next.push(old);
              used.add(old);
            } else {
              const t = task(`t${pool.length}`);
              pool = pool.concat(t);
              next.push(t);
            }
          }
          expect(applyPlan(tasks, positions, next)).toEqual(next);
          positions = planRows(tasks, positions, next).positions;
          tasks = next;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('renumbers when there is no room left between two neighbours', () => {
    const basis = ['a', 'b'].map(task);
    const next = [basis[0] as Task, task('x'), task('y'), basis[1] as Task];
    const plan = planRows(basis, [1, 2], next);
    expect(plan.written).toEqual([0, 1, 2, 3]);
    expect(applyPlan(basis, [1, 2], next)).toEqual(next);
  });
});
