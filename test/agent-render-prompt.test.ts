/**
 * renderForPrompt: never longer than maxTokens by the counting it documents, useful first, and
 * still useful at 10,000 tasks in 1,000 tokens.
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  MemoryTaskStore,
  TaskManager,
  TaskNotFoundError,
  estimateTokens,
  newExecutionEvidence,
  mergeProfile,
  recordEvidence,
  renderSnapshotForPrompt,
  resumeSessionPrompt,
  runtimeSnapshot,
  steppingClock,
} from '../src/index.js';
import { randomSession } from './helpers/agent-sessions.js';

function counterIds(): () => string {
  let n = 0;
  return () => `t${++n}`;
}

describe('the token estimate', () => {
  it('is at least the real o200k_base and cl100k_base counts of rendered prompts and odd text', () => {
    const table = JSON.parse(fs.readFileSync(new URL('./data/agent-token-counts.json', import.meta.url), 'utf8')) as {
      rows: { text: string; o200k_base: number; cl100k_base: number }[];
    };
    expect(table.rows.length).toBeGreaterThan(100);
    for (const row of table.rows) {
      expect([row.text, estimateTokens(row.text)]).toEqual([row.text, Math.max(estimateTokens(row.text), row.o200k_base, row.cl100k_base)]);
    }
  });

  it('charges non-ASCII by UTF-8 bytes and never less than one token per piece', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('é')).toBe(2);
    expect(estimateTokens('🎉')).toBe(4);
    expect(estimateTokens('abcXyz')).toBe(6);
    expect(estimateTokens('123456')).toBe(2);
  });
});

describe('the budget bound', () => {
  it('holds for random sessions and budgets (default estimate and caller-supplied counters)', () => {
    const counters = [undefined, (t: string) => t.length, (t: string) => Buffer.byteLength(t) + (t.includes('\n') ? 5 : 0)];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer(),
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom(0, 1, 2),
        fc.boolean(),
        (n, seed, maxTokens, which, useFocus) => {
          const list = randomSession(n, seed);
          const countTokens = counters[which];
          const focus = useFocus && list.size > 0 ? (list.tasks[seed % list.size]?.id ?? null) : null;
          const text = renderSnapshotForPrompt(list, runtimeSnapshot(list), { maxTokens, focus, countTokens });
          expect((countTokens ?? estimateTokens)(text)).toBeLessThanOrEqual(maxTokens);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('holds at 10,000 tasks (a few runs)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(50, 300, 1000, 4000), (seed, maxTokens) => {
        const list = randomSession(10_000, seed);
        const text = renderSnapshotForPrompt(list, runtimeSnapshot(list), { maxTokens });
        expect(estimateTokens(text)).toBeLessThanOrEqual(maxTokens);
        if (maxTokens >= 1000) expect(estimateTokens(text)).toBeGreaterThan(maxTokens * 0.8);
      }),
      { numRuns: 3 },
    );
  });

  it('gives the empty string when not even a shortened summary fits, and refuses a bad budget', () => {
    const list = randomSession(20, 1);
    expect(renderSnapshotForPrompt(list, runtimeSnapshot(list), { maxTokens: 0 })).toBe('');
    const tiny = renderSnapshotForPrompt(list, runtimeSnapshot(list), { maxTokens: 6 });
    expect(estimateTokens(tiny)).toBeLessThanOrEqual(6);
    expect(tiny.endsWith('…')).toBe(true);
    for (const maxTokens of [-1, 1.5, Number.NaN, '100' as unknown as number]) {
      expect(() => renderSnapshotForPrompt(list, runtimeSnapshot(list), { maxTokens })).toThrow(InvalidInputError);
    }
    expect(() => renderSnapshotForPrompt(list, runtimeSnapshot(list), { maxTokens: 100, countTokens: () => Number.NaN })).toThrow(InvalidInputError);
  });

  it('is still useful at 10,000 tasks in 1,000 tokens: current task and path, ready ids, blocked reasons, counts', () => {
    const list = randomSession(10_000, 11);
    const snapshot = runtimeSnapshot(list);
    const text = renderSnapshotForPrompt(list, snapshot, { maxTokens: 1000 });
    expect(text.split('\n')[0]).toMatch(/^Tasks of session random: 10000 tasks, \d+ in progress, \d+ ready, \d+ blocked, \d+ open, \d+ completed, \d+ cancelled\.$/);
    if (snapshot.current_task !== null) expect(text).toContain(`Current task: '`);
    for (const header of ['In progress:', 'Ready next:', 'Blocked:', 'Done:']) expect(text).toContain(header);
    expect(text).toContain(`(ID: ${snapshot.ready_tasks[0]!.id})`);
    expect(text).toMatch(/open subtasks|waits for|background job/);
    expect(text).toMatch(/… \d+ more/);
  });
});

describe('what the prompt shows', () => {
  async function session(): Promise<{ manager: TaskManager; ids: Record<string, string> }> {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore(), clock: steppingClock(), newId: counterIds() });
    const s = 's';
    const root = await manager.createTask(s, 'Ship the release', 'Everything for 2.0');
    const build = await manager.createTask(s, 'Build', '', root.id);
    const compile = await manager.createTask(s, 'Compile', 'tsc and bundle', build.id);
    const deep = await manager.createTask(s, 'Deep leaf', '', compile.id);
    const docs = await manager.createTask(s, 'Docs', '', root.id);
    const notes = await manager.createTask(s, 'Release notes', '', root.id);
    const old = await manager.createTask(s, 'Old chore', '');
    await manager.addTaskDependency(s, notes.id, docs.id);
    await manager.updateTaskStatus(s, compile.id, 'in_progress');
    await manager.setCurrentTaskId(s, compile.id);
    await manager.updateExecutionState(s, compile.id, (st) => {
      mergeProfile(st, { requires_build: true, requires_test: true });
      recordEvidence(st, newExecutionEvidence('build', 'tsc ok', 'shell', 'npm run build'));
    });
    await manager.updateTaskStatus(s, old.id, 'done');
    return { manager, ids: { root: root.id, build: build.id, compile: compile.id, deep: deep.id, docs: docs.id, notes: notes.id } };
  }

  it('puts the current task with its path and missing evidence first, then ready, blocked with reasons, done counts', async () => {
    const { manager, ids } = await session();
    const text = await manager.renderForPrompt('s', { maxTokens: 4000 });
    expect(text).toBe(
      [
        'Tasks of session s: 7 tasks, 3 in progress, 2 ready, 1 blocked, 6 open, 1 completed.',
        `Current task: 'Compile' [in_progress] (ID: ${ids.compile})`,
        '  Path: Ship the release > Build > Compile',
        '  About: tsc and bundle',
        '  Still needs evidence of: test',
        '  Open subtasks:',
        `  - 'Deep leaf' [not_started] (ID: ${ids.deep})`,
        'Ready next:',
        `- 'Docs' [not_started] (ID: ${ids.docs})`,
        'Blocked:',
        `- 'Release notes' [not_started] (ID: ${ids.notes}): waits for 'Docs'`,
        "Done: 1 completed; latest 'Old chore'.",
        'Outline:',
        "- 'Ship the release' [in_progress], 3 subtasks (3 open)",
        "  - 'Build' [in_progress], 2 below (2 open)",
        "  - 'Docs' [not_started]",
        "  - 'Release notes' [not_started]",
        "- 'Old chore' [completed]",
      ].join('\n'),
    );
  });

  it('cuts the least useful parts first', async () => {
    const { manager, ids } = await session();
    const text = await manager.renderForPrompt('s', { maxTokens: 120 });
    expect(estimateTokens(text)).toBeLessThanOrEqual(120);
    expect(text).toContain(`Current task: 'Compile' [in_progress] (ID: ${ids.compile})`);
    expect(text).not.toContain('Outline');
  });

  it('focus and rootId: another task first, or one subtree only', async () => {
    const { manager, ids } = await session();
    const focused = await manager.renderForPrompt('s', { maxTokens: 4000, focus: ids.notes });
    expect(focused.split('\n')[1]).toBe(`Focus: 'Release notes' [not_started] (ID: ${ids.notes})`);
    expect(focused).toContain("  Held by: waits for 'Docs'");
    const scoped = await manager.renderForPrompt('s', { maxTokens: 4000, rootId: ids.build });
    expect(scoped.split('\n')[0]).toBe(`Tasks of 'Build' (ID: ${ids.build}): 3 tasks, 2 in progress, 1 ready, 3 open.`);
    expect(scoped).not.toContain('Old chore');
    await expect(manager.renderForPrompt('s', { maxTokens: 100, rootId: 'nope' })).rejects.toThrow(TaskNotFoundError);
    await expect(manager.renderForPrompt('s', { maxTokens: 100, focus: 'nope' })).rejects.toThrow(TaskNotFoundError);
  });

  it('a current task with hundreds of open subtasks leaves room for the rest', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore(), clock: steppingClock(), newId: counterIds() });
    await manager.batch('big', (tx) => {
      const parent = tx.createTask('Parent', '');
      for (let i = 0; i < 300; i++) tx.createTask(`Child ${i}`, '', parent.id);
      tx.createTask('Elsewhere', '');
      tx.setCurrentTaskId(parent.id);
    });
    const text = await manager.renderForPrompt('big', { maxTokens: 1000 });
    expect(text).toContain('  Open subtasks:');
    expect(text).toMatch(/ {2}… \d+ more/);
    expect(text).toContain("Ready next:\n- 'Elsewhere' [not_started]");
  });

  it('an empty session and resumeSessionPrompt', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore() });
    expect(await manager.renderForPrompt('empty', { maxTokens: 100 })).toBe('Tasks of session empty: none.');
    const prompt = await resumeSessionPrompt(manager, 'empty', 200);
    expect(prompt).toBe('You are resuming work on this task list. Continue with the current task, or the first ready one.\nTasks of session empty: none.');
    expect(estimateTokens(prompt)).toBeLessThanOrEqual(200);
    expect(estimateTokens(await resumeSessionPrompt(manager, 'empty', 10))).toBeLessThanOrEqual(10);
  });
});
