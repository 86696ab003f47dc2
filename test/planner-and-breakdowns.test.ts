/** Planner parsing, breakdown materialisation, auto-tracked plans (docs/behaviour.md) and README guarantee 11. */
import { describe, expect, it } from 'vitest';
import {
  parseRequirementBreakdownResponse,
  TaskList,
  type RequirementBreakdownTaskSpec,
} from '../src/index.js';
import { cleanTempDirsAfterEach, expectTaskError } from './helpers/env.js';
import { managerOn, STORES } from './helpers/stores.js';

cleanTempDirsAfterEach();

const spec = (name: string, parent_name: string | null = null, extra: Partial<RequirementBreakdownTaskSpec> = {}): RequirementBreakdownTaskSpec => ({
  name,
  description: `${name} description`,
  priority: 'medium',
  is_blocking: false,
  parent_name,
  ...extra,
});

describe('parseRequirementBreakdownResponse', () => {
  it('parses a bare JSON array and normalises every field', () => {
    const specs = parseRequirementBreakdownResponse(
      ' [{"name":"  Build  ","description":" d \\n","priority":"  HIGH ","is_blocking":true,"parent_name":"   "},' +
        '{"name":"Test","description":"t","priority":"","is_blocking":false,"parent_name":" Build "},' +
        '{"name":"Docs","description":"x","priority":"Low","is_blocking":false}] ',
    );
    expect(specs).toEqual([
      { name: 'Build', description: 'd', priority: 'high', is_blocking: true, parent_name: null },
      { name: 'Test', description: 't', priority: '', is_blocking: false, parent_name: 'Build' },
      { name: 'Docs', description: 'x', priority: 'low', is_blocking: false, parent_name: null },
    ]);
  });

  it('falls back to the slice from the first [ to the last ] (prose and a fenced block around it)', () => {
    const reply = 'Here is the plan:\n```json\n[{"name":"A","description":"a","priority":"p","is_blocking":false,"parent_name":null}]\n```\nDone [really].';
    // The last ] is after "really", so the slice is not JSON: a Serialization error, not a crash.
    expect(() => parseRequirementBreakdownResponse(reply)).toThrow(/^Serialization error: /);
    const ok = 'Plan follows.\n```json\n[{"name":"A","description":"a","priority":"p","is_blocking":false,"parent_name":null}]\n```\n';
    expect(parseRequirementBreakdownResponse(ok).map((s) => s.name)).toEqual(['A']);
  });

  it('no [ at all', async () => {
    await expectTaskError(() => parseRequirementBreakdownResponse('I could not plan this {"a":1}'), 'Serialization',
      'Serialization error: planner response did not contain a JSON array');
  });

  it('no ] after the first [ (B11: a ] before the [ is not a crash)', async () => {
    await expectTaskError(() => parseRequirementBreakdownResponse('oops ] then [ nothing'), 'Serialization',
      'Serialization error: planner response did not contain a closing JSON array bracket');
    await expectTaskError(() => parseRequirementBreakdownResponse('[ {"name": "A"'), 'Serialization',
      'Serialization error: planner response did not contain a closing JSON array bracket');
    await expectTaskError(() => parseRequirementBreakdownResponse(']['), 'Serialization',
      'Serialization error: planner response did not contain a closing JSON array bracket');
  });

  it('a slice that is not an array of specs is a Serialization error', async () => {
    for (const text of ['[1, 2]', 'x [{"name":"A"}] y', '[{"name":"A","description":"a","priority":1,"is_blocking":false}]', '[nope]']) {
      expect(() => parseRequirementBreakdownResponse(text), text).toThrow(expect.objectContaining({ kind: 'Serialization' }));
      expect(() => parseRequirementBreakdownResponse(text), text).toThrow(/^Serialization error: /);
    }
  });

  it.each<[string, string]>([
    ['[]', 'requirement breakdown did not include any task specs'],
    ['[{"name":"  ","description":"d","priority":"","is_blocking":false}]', 'requirement breakdown included a task with an empty name'],
    ['[{"name":" A ","description":"  ","priority":"","is_blocking":false}]', "requirement breakdown task 'A' is missing a description"],
    ['[{"name":"A","description":"d","priority":"","is_blocking":false},{"name":" A","description":"d","priority":"","is_blocking":false}]', "requirement breakdown contains duplicate task name 'A'"],
    ['[{"name":"A","description":"d","priority":"","is_blocking":false,"parent_name":" A "}]', "requirement breakdown task 'A' cannot parent itself"],
    ['[{"name":"A","description":"d","priority":"","is_blocking":false,"parent_name":"Zed"}]', "requirement breakdown task 'A' references unknown parent 'Zed'"],
  ])('%s → InvalidInput %s', async (text, message) => {
    await expectTaskError(() => parseRequirementBreakdownResponse(text), 'InvalidInput', `Invalid input: ${message}`);
  });
});

describe.each(STORES)('materializeRequirementBreakdown (%s store)', (kind) => {
  it('creates Agent tasks with priority/blocking lines; children before parents resolve in passes', async () => {
    const manager = managerOn(kind);
    const result = await manager.materializeRequirementBreakdown('s', [
      spec('Leaf', 'Mid'),
      spec('Mid', 'Top', { priority: ' High ', is_blocking: true }),
      spec('Top', null, { priority: '' }),
      spec('Other', '', { is_blocking: true, priority: '' }),
    ]);
    expect(result.created_tasks.map((t) => t.name)).toEqual(['Top', 'Other', 'Mid', 'Leaf']);
    const byName = new Map(result.created_tasks.map((t) => [t.name, t]));
    expect(result.root_task_ids).toEqual([byName.get('Top')!.id, byName.get('Other')!.id]);
    expect(byName.get('Mid')!.parent_id).toBe(byName.get('Top')!.id);
    expect(byName.get('Leaf')!.parent_id).toBe(byName.get('Mid')!.id);
    expect(byName.get('Top')!.description).toBe('Top description');
    expect(byName.get('Mid')!.description).toBe('Mid description\n\nPriority: high\nBlocking: yes');
    expect(byName.get('Other')!.description).toBe('Other description\nBlocking: yes');
    expect(byName.get('Leaf')!.description).toBe('Leaf description\n\nPriority: medium');
    expect(result.created_tasks.every((t) => t.source === 'Agent' && t.status === 'NotStarted')).toBe(true);
    expect(await manager.listTasks('s')).toEqual(result.created_tasks);
  });

  it('running the same breakdown twice creates nothing and returns the same tasks', async () => {
    const manager = managerOn(kind);
    const specs = [spec('A'), spec('B', 'A'), spec('C', 'B')];
    const first = await manager.materializeRequirementBreakdown('s', specs);
    const before = await manager.listTasks('s');
    const second = await manager.materializeRequirementBreakdown('s', specs);
    expect(second.created_tasks.map((t) => t.id)).toEqual(first.created_tasks.map((t) => t.id));
    expect(second.root_task_ids).toEqual(first.root_task_ids);
    expect(await manager.listTasks('s')).toEqual(before);
  });

  it('reuses by collapsed-whitespace lower-cased name under the same parent, preferring open, then oldest', async () => {
    const manager = managerOn(kind);
    const oldDone = await manager.createTask('s', 'build  the\tAPP', '');
    await manager.updateTaskStatus('s', oldDone.id, 'Completed');
    const openOld = await manager.createTask('s', ' Build the app ', '');
    const openNew = await manager.createTask('s', 'BUILD THE APP', '');
    const parent = await manager.createTask('s', 'Parent', '');
    const nested = await manager.createTask('s', 'Build the app', '', parent.id);
    const result = await manager.materializeRequirementBreakdown('s', [spec('Build The App')]);
    expect(result.created_tasks.map((t) => t.id)).toEqual([openOld.id]);
    expect(result.created_tasks[0]!.name).toBe(' Build the app ');
    // Under a parent only that parent's children are candidates.
    const under = await manager.materializeRequirementBreakdownUnderParent('s', parent.id, [spec('build the app'), spec('Fresh')]);
    expect(under.created_tasks[0]!.id).toBe(nested.id);
    expect(under.created_tasks[1]!.parent_id).toBe(parent.id);
    expect(under.root_task_ids).toEqual([nested.id, under.created_tasks[1]!.id]);
    void openNew;
  });

  it('when every match is terminal the oldest one is reused', async () => {
    const manager = managerOn(kind);
    const older = await manager.createTask('s', 'Task', '');
    const newer = await manager.createTask('s', 'task', '');
    await manager.updateTaskStatus('s', newer.id, 'Cancelled');
    await manager.updateTaskStatus('s', older.id, 'Completed');
    const result = await manager.materializeRequirementBreakdown('s', [spec('TASK')]);
    expect(result.created_tasks[0]!.id).toBe(older.id);
  });

  it('unresolved parent references (a loop of parent names) list every stuck spec', async () => {
    const manager = managerOn(kind);
    await expectTaskError(
      manager.materializeRequirementBreakdown('s', [spec('Root'), spec('A', 'B'), spec('B', 'A')]),
      'InvalidInput',
      'Invalid input: requirement breakdown contains unresolved parent references: A -> B, B -> A',
    );
    expect(await manager.listTasks('s')).toEqual([]);
  });

  it('normalisation errors apply to materialize too', async () => {
    const manager = managerOn(kind);
    await expectTaskError(manager.materializeRequirementBreakdown('s', []), 'InvalidInput', 'Invalid input: requirement breakdown did not include any task specs');
    await expectTaskError(manager.materializeRequirementBreakdown('s', [spec('A'), spec(' A ')]), 'InvalidInput', "Invalid input: requirement breakdown contains duplicate task name 'A'");
  });

  it('under a parent: NotFound for a missing parent; a parent of another session is refused', async () => {
    const manager = managerOn(kind);
    await expectTaskError(manager.materializeRequirementBreakdownUnderParent('s', 'ghost', [spec('A')]), 'NotFound', 'Task not found: ghost');
    const t = await manager.createTask('s', 'T', '');
    const data = (await manager.loadTaskList('s')).toJSON();
    data.tasks[0]!.session_id = 'elsewhere';
    await manager.replaceTaskList('s', TaskList.fromJSON(data));
    await expectTaskError(
      manager.materializeRequirementBreakdownUnderParent('s', t.id, [spec('A')]),
      'InvalidInput',
      `Invalid input: parent task '${t.id}' does not belong to session 's'`,
    );
    expect(await manager.listTasks('s')).toHaveLength(1);
  });
});

describe.each(STORES)('initializeAutoTrackedExecutionPlan (%s store)', (kind) => {
  it('returns exactly the outputs of the original and leaves the session as described', async () => {
    const manager = managerOn(kind);
    const specs = [
      ...Array.from({ length: 9 }, (_, i) => spec(`Step ${i + 1}`)),
      spec('Step 1a', 'Step 1', { priority: '' }),
    ];
    const plan = await manager.initializeAutoTrackedExecutionPlan('s', 'Ship it', '  please ship the app \n', specs);
    const tasks = await manager.listTasks('s');
    const root = tasks[0]!;
    expect(root.name).toBe('Ship it');
    expect(root.description).toBe('Autogenerated tracked execution task for request:\n\nplease ship the app');
    expect(root.status).toBe('InProgress');
    expect(root.source).toBe('User');
    expect(plan.root_task).toEqual(root);
    expect(plan.generated_task_count).toBe(10);
    expect(plan.planned_subtasks).toEqual([
      'Step 1 [not_started]', 'Step 1a [not_started]', 'Step 2 [not_started]', 'Step 3 [not_started]',
      'Step 4 [not_started]', 'Step 5 [not_started]', 'Step 6 [not_started]', 'Step 7 [not_started]',
    ]);
    const first = tasks.find((t) => t.name === 'Step 1')!;
    expect(first.status).toBe('InProgress');
    expect(plan.initial_task_id).toBe(first.id);
    expect(plan.initial_task_name).toBe('Step 1');
    expect(await manager.getCurrentTaskId('s')).toBe(first.id);
    expect(tasks.filter((t) => t.status === 'InProgress').map((t) => t.name)).toEqual(['Ship it', 'Step 1']);
    const lifecycle = await manager.getMemoryLifecycle('s', root.id);
    expect(lifecycle!.events).toHaveLength(1);
    expect(lifecycle!.events[0]).toMatchObject({
      phase: 'handoff', summary: 'Initialized tracked request with 10 planned tracked subtasks', scope: 'session', memory_type: 'handoff',
    });
    expect(lifecycle!.events[0]!.memory_file_path).toBeUndefined();
    expect(plan.root_task.metadata).toEqual({ memory_lifecycle: { events: [lifecycle!.events[0]] } });
  });

  it('a bad spec list creates nothing at all (B4)', async () => {
    const manager = managerOn(kind);
    await expectTaskError(manager.initializeAutoTrackedExecutionPlan('s', 'Root', 'x', []), 'InvalidInput',
      'Invalid input: requirement breakdown did not include any task specs');
    expect(await manager.listTasks('s')).toEqual([]);
    await expectTaskError(manager.initializeAutoTrackedExecutionPlan('s', '  ', 'x', [spec('A')]), 'InvalidInput',
      'Invalid input: rootName must not be empty');
  });
});
