/**
 * The agent-facing `task` tool: one test per rule of the original tool (texts exact), as listed in
 * the README "Agents" section.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MemoryTaskStore,
  TaskManager,
  createTaskTool,
  createTaskTools,
  parseAgentStatus,
  steppingClock,
  taskToolInputSchema,
  type TaskTool,
  type TaskToolName,
} from '../src/index.js';

function counterIds(prefix = 'id-'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

function setup(newId: () => string = counterIds()): { manager: TaskManager; tool: TaskTool; tools: Map<TaskToolName, TaskTool> } {
  const manager = new TaskManager('unused', { store: new MemoryTaskStore(), clock: steppingClock(), newId });
  const tool = createTaskTool(manager, { sessionId: 's1' });
  const tools = new Map(createTaskTools(manager, { sessionId: 's1' }).map((t) => [t.name, t]));
  return { manager, tool, tools };
}

describe('names and schema', () => {
  it('task and tasks take the operation from the arguments', async () => {
    const { tools } = setup();
    expect((await tools.get('tasks')!.execute({ operation: 'create', name: 'A' })).text).toBe("Created task 'A' (ID: id-1)\nDescription: \nStatus: NotStarted");
    expect((await tools.get('task')!.execute({ operation: 'list' })).text).toMatch(/^Found 1 task\(s\):/);
  });

  it('fixed-operation aliases force their operation, overriding any operation given', async () => {
    const { tools, manager } = setup();
    expect((await tools.get('task_create')!.execute({ operation: 'delete', name: 'A' })).text).toBe(
      "Created task 'A' (ID: id-1)\nDescription: \nStatus: NotStarted",
    );
    expect((await tools.get('task_update_status')!.execute({ operation: 'list', task_id: 'id-1', status: 'inprogress' })).text).toBe(
      'Updated task id-1 status to InProgress',
    );
    expect((await tools.get('task_update')!.execute({ operation: 'list', task_id: 'id-1', name: 'B' })).text).toBe("Updated task id-1: name to 'B'");
    expect((await tools.get('task_list')!.execute({ operation: 'create', name: 'X' })).text).toMatch(/^Found 1 task\(s\):/);
    expect((await tools.get('task_get_hierarchy')!.execute({ operation: 'create', name: 'X' })).text).toMatch(/^Task hierarchy \(1 root task\(s\)\):/);
    expect((await tools.get('task_delete')!.execute({ operation: 'create', task_id: 'id-1' })).text).toBe("Deleted task 'B' (ID: id-1)");
    expect(await manager.listTasks('s1')).toEqual([]);
    expect([...tools.keys()]).toEqual(['task', 'tasks', 'task_create', 'task_update_status', 'task_update', 'task_delete', 'task_list', 'task_get_hierarchy']);
  });

  it('the schema has the operation and status enums and a oneOf of what each operation needs', () => {
    const schema = taskToolInputSchema('task') as {
      properties: Record<string, { enum?: string[] }>;
      oneOf: { properties?: { operation?: { const?: string } }; required?: string[] }[];
    };
    expect(schema.properties.operation!.enum).toEqual(['create', 'update_status', 'update', 'delete', 'list', 'get_hierarchy']);
    expect(schema.properties.status!.enum).toEqual(['notstarted', 'inprogress', 'completed', 'cancelled']);
    expect(Object.keys(schema.properties).sort()).toEqual(['description', 'name', 'operation', 'parent_id', 'status', 'task_id']);
    const need = Object.fromEntries(schema.oneOf.filter((b) => b.properties?.operation?.const).map((b) => [b.properties!.operation!.const, b.required]));
    expect(need).toEqual({
      create: ['operation', 'name'],
      update_status: ['operation', 'task_id', 'status'],
      update: ['operation', 'task_id'],
      delete: ['operation', 'task_id'],
    });
    expect(taskToolInputSchema('task', 'flat')).not.toHaveProperty('oneOf');
    expect(taskToolInputSchema('task_update_status')).toMatchObject({ required: ['task_id', 'status'] });
  });

  it('arguments that are not JSON give Invalid arguments with the parser message', async () => {
    const { tool } = setup();
    let message = '';
    try {
      JSON.parse('{operation: create}');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(await tool.execute('{operation: create}')).toEqual({ ok: false, text: `Invalid arguments: ${message}` });
    expect((await tool.execute('[1,2]')).text).toBe('Invalid arguments: expected a JSON object, got an array');
  });

  it('no operation means list, for objects and JSON text', async () => {
    const { tool } = setup();
    expect(await tool.execute({})).toEqual({ ok: true, text: 'No tasks found for this session' });
    expect(await tool.execute('{"name": "ignored"}')).toEqual({ ok: true, text: 'No tasks found for this session' });
    expect(await tool.execute(undefined)).toEqual({ ok: true, text: 'No tasks found for this session' });
  });

  it('no session gives the original text', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore() });
    for (const sessionId of [null, undefined, '', () => null]) {
      const tool = createTaskTool(manager, { sessionId });
      expect(await tool.execute({ operation: 'create', name: 'A' })).toEqual({
        ok: false,
        text: 'Task management requires an active session with workspace',
      });
    }
  });
});

describe('operations: success and failure texts', () => {
  it('create', async () => {
    const { tool } = setup();
    expect(await tool.execute({ operation: 'create', name: 'Write tests', description: 'Cover the parser' })).toEqual({
      ok: true,
      text: "Created task 'Write tests' (ID: id-1)\nDescription: Cover the parser\nStatus: NotStarted",
    });
    expect(await tool.execute({ operation: 'create', name: 'Sub', parent_id: 'nope' })).toEqual({
      ok: false,
      text: 'Failed to create task: Task not found: nope',
    });
  });

  it('create makes a user task under the parent', async () => {
    const { tool, manager } = setup();
    await tool.execute({ operation: 'create', name: 'P' });
    await tool.execute({ operation: 'create', name: 'C', parent_id: 'id-1' });
    expect(await manager.getTask('s1', 'id-2')).toMatchObject({ parent_id: 'id-1', source: 'User', description: '' });
  });

  it('update_status', async () => {
    const { tool } = setup();
    await tool.execute({ operation: 'create', name: 'P' });
    await tool.execute({ operation: 'create', name: 'C', parent_id: 'id-1' });
    expect(await tool.execute({ operation: 'update_status', task_id: 'id-2', status: 'inprogress' })).toEqual({
      ok: true,
      text: 'Updated task id-2 status to InProgress',
    });
    expect(await tool.execute({ operation: 'update_status', task_id: 'id-1', status: 'completed' })).toEqual({
      ok: false,
      text: "Failed to update task status: Invalid input: task 'P' cannot be completed while subtasks remain open: 'C'",
    });
    expect((await tool.execute({ operation: 'update_status', task_id: 'id-2', status: 'blocked' })).text).toBe('Updated task id-2 status to Blocked');
  });

  it('update', async () => {
    const { tool } = setup();
    await tool.execute({ operation: 'create', name: 'A' });
    expect((await tool.execute({ operation: 'update', task_id: 'id-1', name: 'B', description: 'D' })).text).toBe(
      "Updated task id-1: name to 'B', description to 'D'",
    );
    expect((await tool.execute({ operation: 'update', task_id: 'id-1', description: 'E' })).text).toBe("Updated task id-1: description to 'E'");
    expect(await tool.execute({ operation: 'update', task_id: 'zz', name: 'B' })).toEqual({ ok: false, text: 'Failed to update task: Task not found: zz' });
  });

  it('delete', async () => {
    const { tool } = setup();
    await tool.execute({ operation: 'create', name: 'A' });
    expect(await tool.execute({ operation: 'delete', task_id: 'id-1' })).toEqual({ ok: true, text: "Deleted task 'A' (ID: id-1)" });
    expect(await tool.execute({ operation: 'delete', task_id: 'id-1' })).toEqual({ ok: false, text: 'Failed to delete task: Task not found: id-1' });
  });

  it('list: empty, then one block per task with the parent line when there is one', async () => {
    const { tool } = setup();
    expect(await tool.execute({ operation: 'list' })).toEqual({ ok: true, text: 'No tasks found for this session' });
    await tool.execute({ operation: 'create', name: 'P', description: 'root' });
    await tool.execute({ operation: 'create', name: 'C', parent_id: 'id-1' });
    expect((await tool.execute({ operation: 'list' })).text).toBe(
      'Found 2 task(s):\n\n' +
        '• P (ID: id-1)\n  Status: NotStarted\n  Description: root\n\n' +
        '• C (ID: id-2)\n  Status: NotStarted\n  Description: \n  Parent: id-1\n\n',
    );
  });

  it('get_hierarchy: empty, then each root with its subtasks', async () => {
    const { tool } = setup();
    expect(await tool.execute({ operation: 'get_hierarchy' })).toEqual({ ok: true, text: 'No tasks found for this session' });
    await tool.execute({ operation: 'create', name: 'P', description: 'root' });
    await tool.execute({ operation: 'create', name: 'C', parent_id: 'id-1' });
    await tool.execute({ operation: 'create', name: 'Q' });
    expect((await tool.execute({ operation: 'get_hierarchy' })).text).toBe(
      'Task hierarchy (2 root task(s)):\n\n' +
        '• P (ID: id-1)\n  Status: NotStarted\n  Description: root\n  Subtasks (1):\n    - C (ID: id-2, Status: NotStarted)\n\n' +
        '• Q (ID: id-3)\n  Status: NotStarted\n  Description: \n\n',
    );
  });

  it('failures of list and get_hierarchy name the operation', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore() });
    const tool = createTaskTool(manager, { sessionId: '../etc' });
    expect((await tool.execute({ operation: 'list' })).text).toMatch(/^Failed to list tasks: Invalid input: invalid session id/);
    expect((await tool.execute({ operation: 'get_hierarchy' })).text).toMatch(/^Failed to get task hierarchy: Invalid input: invalid session id/);
  });

  it('an unknown operation lists the supported ones', async () => {
    const { tool } = setup();
    expect(await tool.execute({ operation: 'frobnicate' })).toEqual({
      ok: false,
      text: 'Unknown task operation: frobnicate. Supported: create, update_status, update, delete, list, get_hierarchy',
    });
  });
});

describe('missing fields', () => {
  it('task_id for update_status, update and delete', async () => {
    const { tool } = setup();
    for (const operation of ['update_status', 'update', 'delete']) {
      expect(await tool.execute({ operation, status: 'done', name: 'x' })).toEqual({
        ok: false,
        text: `Missing required field 'task_id' for ${operation} operation`,
      });
    }
  });

  it('name for create, status for update_status (listing the accepted values), update fields for update', async () => {
    const { tool } = setup();
    await tool.execute({ operation: 'create', name: 'A' });
    const name = await tool.execute({ operation: 'create' });
    expect(name.ok).toBe(false);
    expect(name.text.startsWith("Missing required field 'name' for create operation.")).toBe(true);
    const status = await tool.execute({ operation: 'update_status', task_id: 'id-1' });
    expect(status.text.startsWith("Missing required field 'status' for update_status operation.")).toBe(true);
    for (const word of ['notstarted', 'blocked', 'inprogress', 'completed', 'cancelled']) expect(status.text).toContain(word);
    tool.resetRun();
    const unreadable = await tool.execute({ operation: 'update_status', task_id: 'id-1', status: 'almost there' });
    expect(unreadable.text.startsWith("Missing required field 'status' for update_status operation.")).toBe(true);
    expect(unreadable.text).toContain("'almost there'");
    const update = await tool.execute({ operation: 'update', task_id: 'id-1' });
    expect(update.text.startsWith('Missing required update fields for update operation.')).toBe(true);
  });
});

describe('lenient reading', () => {
  it('operation: the first token, lower-cased', async () => {
    const { tool } = setup();
    expect((await tool.execute({ operation: '  CREATE a task please', name: 'A' })).text).toMatch(/^Created task 'A'/);
    expect((await tool.execute({ operation: 'Update_Status now', task_id: 'id-1', status: 'done' })).text).toBe('Updated task id-1 status to Completed');
  });

  it('name, description and status are trimmed; none, null and empty are removed', async () => {
    const { tool, manager } = setup();
    expect((await tool.execute({ operation: 'create', name: '  A  ', description: ' null ' })).text).toBe(
      "Created task 'A' (ID: id-1)\nDescription: \nStatus: NotStarted",
    );
    expect((await tool.execute({ operation: 'update', task_id: 'id-1', name: 'None', description: '  d  ' })).text).toBe("Updated task id-1: description to 'd'");
    expect((await manager.getTask('s1', 'id-1'))!.name).toBe('A');
    expect((await tool.execute({ operation: 'update_status', task_id: 'id-1', status: '  ' })).text).toMatch(/^Missing required field 'status'/);
  });

  it('task_id and parent_id: an embedded UUID is extracted', async () => {
    const uuids = ['0b9e7a4c-1f2d-4e3a-9b8c-7d6e5f4a3b2c', '1c9e7a4c-1f2d-4e3a-9b8c-7d6e5f4a3b2d'];
    const { tool } = setup(() => uuids.shift()!);
    await tool.execute({ operation: 'create', name: 'P' });
    expect((await tool.execute({ operation: 'create', name: 'C', parent_id: 'parent is 0b9e7a4c-1f2d-4e3a-9b8c-7d6e5f4a3b2c.' })).ok).toBe(true);
    expect((await tool.execute({ operation: 'update_status', task_id: 'task <1c9e7a4c-1f2d-4e3a-9b8c-7d6e5f4a3b2d>', status: 'done' })).text).toBe(
      'Updated task 1c9e7a4c-1f2d-4e3a-9b8c-7d6e5f4a3b2d status to Completed',
    );
  });

  it('task_id: our own ids are found inside text; other text is taken trimmed', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore() });
    const tool = createTaskTool(manager, { sessionId: 's1' });
    const task = await manager.createTask('s1', 'A', '');
    expect((await tool.execute({ operation: 'update_status', task_id: `'A' (ID: ${task.id})`, status: 'done' })).text).toBe(
      `Updated task ${task.id} status to Completed`,
    );
    expect((await tool.execute({ operation: 'delete', task_id: '  no such task  ' })).text).toBe('Failed to delete task: Task not found: no such task');
  });

  it('aliases of task_id, parent_id, description, name and status, each for its operations only', async () => {
    const { tool, manager } = setup();
    await tool.execute({ operation: 'create', name: 'P' });
    for (const [i, key] of ['parent_task_id', 'parentTaskId', 'parentId'].entries()) {
      await tool.execute({ operation: 'create', name: `C${i}`, [key]: 'id-1' });
    }
    expect((await manager.listTasks('s1')).map((t) => t.parent_id)).toEqual([null, 'id-1', 'id-1', 'id-1']);
    for (const key of ['desc', 'details', 'task_description', 'taskDescription', 'notes']) {
      expect((await tool.execute({ operation: 'update', task_id: 'id-2', [key]: key })).text).toBe(`Updated task id-2: description to '${key}'`);
    }
    for (const key of ['title', 'task_name', 'taskName', 'new_name', 'newName', 'label']) {
      expect((await tool.execute({ operation: 'update', id: 'id-2', [key]: key })).text).toBe(`Updated task id-2: name to '${key}'`);
    }
    for (const key of ['id', 'taskId', 'taskID']) {
      expect((await tool.execute({ operation: 'update', [key]: 'id-3', name: key })).text).toBe(`Updated task id-3: name to '${key}'`);
    }
    for (const key of ['state', 'new_status', 'newStatus', 'target_status', 'targetStatus', 'task_status', 'taskStatus']) {
      expect((await tool.execute({ operation: 'update_status', task_id: 'id-4', [key]: 'in progress' })).text).toBe('Updated task id-4 status to InProgress');
    }
    // Not for other operations: `state` is not a status of update, `parentId` not a parent of update.
    expect((await tool.execute({ operation: 'update', task_id: 'id-4', state: 'done' })).text).toMatch(/^Missing required update fields/);
    const created = await tool.execute({ operation: 'create', name: 'D', id: 'id-1' });
    expect(created.text).toBe("Created task 'D' (ID: id-5)\nDescription: \nStatus: NotStarted");
    expect((await manager.getTask('s1', 'id-5'))!.parent_id).toBeNull();
  });

  it('XML-ish fragments inside values are mined for the named values', async () => {
    const { tool } = setup();
    await tool.execute({ operation: 'create', name: 'A' });
    expect(
      (await tool.execute({ operation: 'update_status', task_id: 'id-1</parameter>\n<parameter name="status">done</parameter>' })).text,
    ).toBe('Updated task id-1 status to Completed');
    expect(
      (await tool.execute({ operation: 'create<parameter name="name">Write docs</parameter><parameter name="description">README</parameter>' })).text,
    ).toBe("Created task 'Write docs' (ID: id-2)\nDescription: README\nStatus: NotStarted");
    expect((await tool.execute({ operation: 'update', task_id: 'id-2 <name>Docs</name>' })).text).toBe("Updated task id-2: name to 'Docs'");
  });

  it('status parser: exact forms, word pairs, then single words', () => {
    const cases: [string, string | null][] = [
      ['notstarted', 'NotStarted'],
      ['Not Started', 'NotStarted'],
      ['not-started', 'NotStarted'],
      ['TODO', 'NotStarted'],
      ['blocked', 'Blocked'],
      ['waiting', 'Blocked'],
      ['InProgress', 'InProgress'],
      ['in progress', 'InProgress'],
      ['in-progress!', 'InProgress'],
      ['started', 'InProgress'],
      ['running', 'InProgress'],
      ['active', 'InProgress'],
      ['completed', 'Completed'],
      ['complete', 'Completed'],
      ['DONE.', 'Completed'],
      ['finished', 'Completed'],
      ['cancelled', 'Cancelled'],
      ['canceled', 'Cancelled'],
      ['the work is not started yet', 'NotStarted'],
      ['currently in progress', 'InProgress'],
      ['mark it done', 'Completed'],
      ['pending', null],
      ['wip', null],
      ['', null],
    ];
    for (const [text, status] of cases) expect([text, parseAgentStatus(text)]).toEqual([text, status]);
  });

  it('an unreadable status is removed, then recovered from a status phrase in another value', async () => {
    const { tool } = setup();
    await tool.execute({ operation: 'create', name: 'A' });
    expect((await tool.execute({ operation: 'update_status', task_id: 'id-1', status: 'whatever', description: 'status: done' })).text).toBe(
      'Updated task id-1 status to Completed',
    );
    await tool.execute({ operation: 'create', name: 'B' });
    expect((await tool.execute({ operation: 'update_status', task_id: 'id-2 status=in_progress' })).text).toBe('Updated task id-2 status to InProgress');
  });

  it('create: placeholder names are dropped and a missing name is derived', async () => {
    const { tool } = setup();
    for (const placeholder of ['TBD', 'Untitled task', 'N/A', 'none', 'placeholder', 'todo task tbd na']) {
      tool.resetRun();
      expect((await tool.execute({ operation: 'create', name: placeholder })).text).toMatch(/^Missing required field 'name' for create operation\./);
    }
    const derived: [Record<string, unknown>, string][] = [
      [{ task_id: 'write-unit-tests' }, 'write unit tests'],
      [{ name: 'TBD', title: 'From title' }, 'From title'],
      [{ task: 'From task' }, 'From task'],
      [{ task_name: 'From task_name' }, 'From task_name'],
      [{ subtask: 'From subtask' }, 'From subtask'],
      [{ summary: 'From summary' }, 'From summary'],
      [{ objective: 'From objective' }, 'From objective'],
      [{ goal: 'From goal' }, 'From goal'],
      [{ description: 'Refactor the parser. Then write tests.' }, 'Refactor the parser'],
      [{ description: 'x'.repeat(100) }, 'x'.repeat(80)],
      [{ name: 'Five words are not placeholder', task_id: 'ignored-slug' }, 'Five words are not placeholder'],
    ];
    for (const [args, name] of derived) {
      const result = await tool.execute({ operation: 'create', ...args });
      expect(result.text).toMatch(new RegExp(`^Created task '${name}' \\(ID: id-\\d+\\)`));
    }
  });

  it('create ignores task_id', async () => {
    const { tool, manager } = setup();
    expect((await tool.execute({ operation: 'create', name: 'A', task_id: 'custom-id' })).text).toMatch(/\(ID: id-1\)/);
    expect(await manager.getTask('s1', 'custom-id')).toBeNull();
  });
});

describe('loop breaker', () => {
  it('skips a repeated malformed call of the same kind, per kind, until a new run', async () => {
    const { tool } = setup();
    const first = await tool.execute({ operation: 'create' });
    expect(first.text).toMatch(/^Missing required field 'name'/);
    const second = await tool.execute({ operation: 'create', name: 'TBD' });
    expect(second.ok).toBe(false);
    expect(second.text.startsWith('Loop breaker: skipped a repeated malformed `task.create` ')).toBe(true);
    // Other kinds are counted separately.
    await tool.execute({ operation: 'create', name: 'A' });
    expect((await tool.execute({ operation: 'update', task_id: 'id-1' })).text).toMatch(/^Missing required update fields/);
    expect((await tool.execute({ operation: 'update', task_id: 'id-1' })).text.startsWith('Loop breaker: skipped a repeated malformed `task.update` ')).toBe(true);
    expect((await tool.execute({ operation: 'update_status', task_id: 'id-1' })).text).toMatch(/^Missing required field 'status'/);
    expect((await tool.execute({ operation: 'update_status', task_id: 'id-1', status: '??' })).text.startsWith(
      'Loop breaker: skipped a repeated malformed `task.update_status` ',
    )).toBe(true);
    // Well-formed calls still run; delete is not watched.
    expect((await tool.execute({ operation: 'update_status', task_id: 'id-1', status: 'done' })).ok).toBe(true);
    expect((await tool.execute({ operation: 'delete' })).text).toBe("Missing required field 'task_id' for delete operation");
    expect((await tool.execute({ operation: 'delete' })).text).toBe("Missing required field 'task_id' for delete operation");
    tool.resetRun();
    expect((await tool.execute({ operation: 'create' })).text).toMatch(/^Missing required field 'name'/);
  });

  it('aliases share the run', async () => {
    const { tools } = setup();
    expect((await tools.get('task')!.execute({ operation: 'create' })).text).toMatch(/^Missing required field/);
    expect((await tools.get('task_create')!.execute({})).text).toMatch(/^Loop breaker: skipped a repeated malformed `task.create` /);
  });
});

describe('robustness', () => {
  it('never rejects and always answers text, whatever a model sends', async () => {
    const { tool } = setup();
    await tool.execute({ operation: 'create', name: 'A' });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.string(),
          fc.json(),
          fc.record({
            operation: fc.oneof(fc.constantFrom('create', 'update_status', 'update', 'delete', 'list', 'get_hierarchy'), fc.string()),
            task_id: fc.oneof(fc.constant('id-1'), fc.string(), fc.anything()),
            name: fc.oneof(fc.string(), fc.anything()),
            status: fc.oneof(fc.string(), fc.anything()),
            description: fc.string(),
          }, { requiredKeys: [] }),
        ),
        async (args) => {
          const result = await tool.execute(args);
          expect(typeof result.ok).toBe('boolean');
          expect(typeof result.text).toBe('string');
          expect(result.text.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('inputs of the tool factories', () => {
  it('refuse what is not a manager or options with a session source', async () => {
    const { InvalidInputError } = await import('../src/index.js');
    const manager = new TaskManager('unused', { store: new MemoryTaskStore() });
    expect(() => createTaskTool({} as TaskManager, { sessionId: 's' })).toThrow(InvalidInputError);
    expect(() => createTaskTool(manager, null as never)).toThrow(InvalidInputError);
    expect(() => createTaskTool(manager, { sessionId: 42 as never })).toThrow(InvalidInputError);
    expect(() => createTaskTools(manager, { sessionId: 's', schema: 'odd' as never })).toThrow(InvalidInputError);
    expect(() => createTaskTools(manager, { sessionId: 's', names: ['nope' as TaskToolName] })).toThrow(InvalidInputError);
  });
});

describe('surface', () => {
  it('gestura-tasks/agent exports the same objects as the package root', async () => {
    const agent = await import('../src/agent/index.js');
    const root = (await import('../src/index.js')) as Record<string, unknown>;
    expect(Object.keys(agent).sort()).toEqual(
      [
        'DEFAULT_RESUME_TOKENS', 'TASK_OPERATIONS', 'TASK_TOOL_ALIASES', 'createTaskTool', 'createTaskTools', 'estimateTokens',
        'missingRequirements', 'parseAgentStatus', 'renderSnapshotForPrompt', 'resumeSessionPrompt', 'runtimeSnapshot',
        'taskToolDescription', 'taskToolForMcp', 'taskToolInputSchema', 'taskToolsForMcp',
      ].sort(),
    );
    for (const [name, value] of Object.entries(agent)) expect(root[name], name).toBe(value);
  });

  it('the MCP adapter answers with text content and isError on failure', async () => {
    const { taskToolForMcp } = await import('../src/index.js');
    const manager = new TaskManager('unused', { store: new MemoryTaskStore(), newId: counterIds() });
    const tool = taskToolForMcp(manager, { sessionId: 's' });
    expect(tool.name).toBe('task');
    expect(tool.inputSchema).not.toHaveProperty('oneOf');
    expect(await tool.handler({ operation: 'create', name: 'A' })).toEqual({
      content: [{ type: 'text', text: "Created task 'A' (ID: id-1)\nDescription: \nStatus: NotStarted" }],
    });
    expect(await tool.handler({ operation: 'delete' })).toEqual({
      content: [{ type: 'text', text: "Missing required field 'task_id' for delete operation" }],
      isError: true,
    });
    // A `session` argument picks another session; the zod schema lets sloppy arguments through.
    expect((await tool.handler({ operation: 'list', session: 'other' })).content[0]!.text).toBe('No tasks found for this session');
    expect((tool.inputSchema.properties as Record<string, unknown>).session).toBeDefined();
    const parsed = tool.zodInputSchema.parse({ operation: 7, taskId: 'x', session: 's' });
    expect(parsed).toEqual({ operation: 7, taskId: 'x', session: 's' });
    const { z } = await import('zod');
    const json = z.toJSONSchema(tool.zodInputSchema) as { properties: Record<string, { enum?: string[] }> };
    expect(json.properties.operation!.enum).toEqual(['create', 'update_status', 'update', 'delete', 'list', 'get_hierarchy']);
  });
});
