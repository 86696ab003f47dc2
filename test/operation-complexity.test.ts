/**
 * Operations stay linear in the session size: counted in list look-ups, not timed (speed itself
 * is measured by `npm run bench`). Doubling the session may at most about double the work.
 */
import { describe, expect, it } from 'vitest';
import { newTask, steppingClock, TaskList, TaskTransaction, type Task } from '../src/index.js';
import { counterIds } from './helpers/env.js';

/** Counts the calls of the list's look-up methods and the tasks they hand back. */
function instrument(list: TaskList): { work: () => number } {
  let work = 0;
  const target = list as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['findTask', 'getTask', 'hasTask', 'positionOf', 'childPositions', 'childrenOf', 'subtasks', 'descendants']) {
    const original = target[name] as (...args: unknown[]) => unknown;
    target[name] = function (this: unknown, ...args: unknown[]): unknown {
      const result = original.apply(list, args);
      work += 1 + (Array.isArray(result) ? result.length : 0);
      return result;
    };
  }
  return { work: () => work };
}

function chain(n: number): { list: TaskList; ids: string[] } {
  const list = new TaskList('s');
  const ids: string[] = [];
  let parent: string | null = null;
  for (let i = 0; i < n; i++) {
    const task: Task = { ...newTask('s', `t${i}`, ''), id: `c${i}`, parent_id: parent };
    list.addTask(task);
    ids.push(task.id);
    parent = task.id;
  }
  return { list, ids };
}

function tx(list: TaskList): TaskTransaction {
  return new TaskTransaction(list, { clock: steppingClock('2025-01-01T00:00:00Z'), newId: counterIds() });
}

/** Work for size n and 2n; asserts the growth is at most linear (with slack for constants). */
function expectLinear(run: (n: number) => number): void {
  const small = run(1000);
  const large = run(2000);
  expect(large / small).toBeLessThan(2.6);
}

describe('work grows linearly with the session', () => {
  it('completing the leaf of a deep chain (every ancestor reconciled)', () => {
    expectLinear((n) => {
      const { list, ids } = chain(n);
      const counter = instrument(list);
      tx(list).updateTaskStatus(ids[n - 1] as string, 'Completed');
      expect(list.getTask(ids[0] as string).status).toBe('Completed');
      return counter.work();
    });
  });

  it('cancelling the open descendants of a deep chain', () => {
    expectLinear((n) => {
      const { list, ids } = chain(n);
      const counter = instrument(list);
      expect(tx(list).cancelOpenDescendants(ids[0] as string)).toHaveLength(n - 1);
      return counter.work();
    });
  });

  it('cancelling below the middle of a deep chain (many ancestors above)', () => {
    expectLinear((n) => {
      const { list, ids } = chain(n);
      const counter = instrument(list);
      tx(list).cancelOpenDescendants(ids[n >> 1] as string);
      return counter.work();
    });
  });

  it('materialising top-level specs, in order and with parents in reverse order', () => {
    for (const reverse of [false, true]) {
      expectLinear((n) => {
        const list = new TaskList('s');
        const counter = instrument(list);
        const specs = Array.from({ length: n }, (_, i) => ({
          name: `spec ${i}`,
          description: 'd',
          priority: '',
          is_blocking: false,
          parent_name: reverse && i < n - 1 ? `spec ${i + 1}` : null,
        }));
        tx(list).materializeRequirementBreakdown(specs);
        tx(list).materializeRequirementBreakdown(specs);
        expect(list.size).toBe(n);
        return counter.work();
      });
    }
  });

  it('a status change in a chain closed into one loop of parent links (a hand-edited file)', () => {
    expectLinear((n) => {
      const { list, ids } = chain(n);
      list.updateTask(ids[0] as string, { parent_id: ids[n - 1] as string });
      const counter = instrument(list);
      tx(list).updateTaskStatus(ids[n >> 1] as string, 'InProgress');
      tx(list).updateTaskStatus(ids[n >> 1] as string, 'Cancelled');
      return counter.work();
    });
  });

  it('cancelling below a task on a loop of Completed tasks with a deep open chain hanging from it', () => {
    expectLinear((n) => {
      const { list, ids } = chain(n);
      const half = n >> 1;
      list.updateTask(ids[0] as string, { parent_id: ids[half - 1] as string });
      for (const id of ids.slice(1, half)) list.updateTask(id, { status: 'Completed' });
      const counter = instrument(list);
      expect(tx(list).cancelOpenDescendants(ids[0] as string)).toHaveLength(n - half);
      return counter.work();
    });
  });

  it('the ready queue over a chain of alternating open and Cancelled tasks (all descendants asked)', () => {
    expectLinear((n) => {
      const { list, ids } = chain(n);
      ids.forEach((id, i) => {
        if (i % 2 === 1) list.updateTask(id, { status: 'Cancelled' });
      });
      const counter = instrument(list);
      expect(tx(list).readyTasks()).toHaveLength(1);
      return counter.work();
    });
  });
});
