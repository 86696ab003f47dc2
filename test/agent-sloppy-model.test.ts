/**
 * End to end: an agent loop registers the `task` tools and a sloppy model drives them with
 * aliases, JSON text, XML fragments, placeholder names, loose statuses and repeated malformed
 * calls; the session ends up as a careful model would have left it, on a real file store.
 */
import { describe, expect, it } from 'vitest';
import { TaskManager, createTaskTools, type TaskTool } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

/** What a model would send: a tool name and raw arguments (object or JSON text). */
type ModelCall = [string, unknown];

describe('a sloppy model drives the task tool', () => {
  it('ends with the intended task list, and the loop breaker stops a repeated bad call', async () => {
    const manager = new TaskManager(tempDir());
    const tools = new Map<string, TaskTool>(createTaskTools(manager, { sessionId: 'agent-run' }).map((t) => [t.name, t]));
    const transcript: string[] = [];
    const call = async ([name, args]: ModelCall): Promise<string> => {
      const tool = tools.get(name);
      const result = tool === undefined ? { ok: false, text: `unknown tool ${name}` } : await tool.execute(args);
      transcript.push(`${name} ${typeof args === 'string' ? args : JSON.stringify(args)} -> ${result.ok ? 'ok' : 'FAIL'}: ${result.text}`);
      return result.text;
    };
    const idIn = (text: string): string => {
      const match = /\(ID: ([^)]+)\)/.exec(text);
      if (match === null) throw new Error(`no id in: ${text}`);
      return match[1] as string;
    };

    // A plan: JSON text, an alias tool, a placeholder name with the real title elsewhere.
    const root = idIn(await call(['task', '{"operation": "Create", "name": "Build the CSV converter", "desc": "CLI that turns CSV into JSON"}']));
    const parse = idIn(await call(['task_create', { name: 'TBD', title: 'Parse arguments', parentTaskId: `the root task (ID: ${root})` }]));
    const tests = idIn(await call(['tasks', { operation: 'create   subtask', task_name: 'Write tests', parent_id: root, details: 'happy path' }]));
    // A name squeezed into an XML fragment of another value.
    const docs = idIn(
      await call(['task', { operation: 'create', parent_id: `${root}</parameter>\n<parameter name="name">Document usage</parameter>` }]),
    );

    // Starting work: loose statuses, aliases for id and status.
    expect(await call(['task_update_status', { taskId: parse, state: 'In Progress' }])).toBe(`Updated task ${parse} status to InProgress`);
    expect(await call(['task', `{"operation":"update_status","id":"${tests}","new_status":"started"}`])).toBe(
      `Updated task ${tests} status to InProgress`,
    );

    // A malformed status, then the same malformed kind again: the loop breaker steps in.
    const bad = await call(['task', { operation: 'update_status', task_id: parse, status: 'almost there' }]);
    expect(bad).toMatch(/^Missing required field 'status' for update_status operation\./);
    const again = await call(['task', { operation: 'update_status', task_id: parse, status: 'nearly' }]);
    expect(again.startsWith('Loop breaker: skipped a repeated malformed `task.update_status` ')).toBe(true);
    // The model changes course: the status is inside an XML fragment of the id.
    expect(await call(['task', { operation: 'update_status', task_id: `${parse}<parameter name="status">done</parameter>` }])).toBe(
      `Updated task ${parse} status to Completed`,
    );

    // Repeated malformed creates (placeholders only) are stopped too.
    expect(await call(['task_create', { name: 'untitled' }])).toMatch(/^Missing required field 'name' for create operation\./);
    expect((await call(['task_create', { name: 'N/A', description: '  ' }])).startsWith('Loop breaker: skipped a repeated malformed `task.create` ')).toBe(
      true,
    );

    // Completing the parent too early is refused with the library's reason.
    expect(await call(['task', { operation: 'update_status', task_id: root, status: 'complete' }])).toBe(
      "Failed to update task status: Invalid input: task 'Build the CSV converter' cannot be completed while subtasks remain open: 'Write tests', 'Document usage'",
    );

    // Rename with an alias, status phrase inside a description, cancel with a US spelling.
    expect(await call(['task_update', { id: docs, newName: 'Document the CLI' }])).toBe(`Updated task ${docs}: name to 'Document the CLI'`);
    expect(await call(['task', { operation: 'update_status', task_id: tests, status: '???', description: 'status: finished' }])).toBe(
      `Updated task ${tests} status to Completed`,
    );
    expect(await call(['task_update_status', { task_id: docs, status: 'canceled' }])).toBe(`Updated task ${docs} status to Cancelled`);

    // The last open subtask finished: the root completed by itself.
    const hierarchy = await call(['task_get_hierarchy', 'null']);
    expect(hierarchy).toBe(
      'Task hierarchy (1 root task(s)):\n\n' +
        `• Build the CSV converter (ID: ${root})\n  Status: Completed\n  Description: CLI that turns CSV into JSON\n` +
        '  Subtasks (3):\n' +
        `    - Parse arguments (ID: ${parse}, Status: Completed)\n` +
        `    - Write tests (ID: ${tests}, Status: Completed)\n` +
        `    - Document the CLI (ID: ${docs}, Status: Cancelled)\n\n`,
    );
    const tasks = await manager.listTasks('agent-run');
    expect(tasks.map((t) => [t.name, t.status, t.parent_id])).toEqual([
      ['Build the CSV converter', 'Completed', null],
      ['Parse arguments', 'Completed', root],
      ['Write tests', 'Completed', root],
      ['Document the CLI', 'Cancelled', root],
    ]);
    expect(tasks[2]!.description).toBe('happy path');

    // Junk never throws.
    for (const junk of ['', '{"operation":', '<invoke name="task">', 42, [1], null, { operation: ['list'] }]) {
      expect(typeof (await call(['task', junk]))).toBe('string');
    }
    expect(transcript.length).toBeGreaterThan(20);
  });
});
