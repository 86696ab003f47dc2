import { describe, expect, it } from 'vitest';
import { TaskManager } from '../src/index.js';
import { postgresStore } from './helpers/postgres.js';

describe('PostgresTaskStore basics', () => {
  it('creates, updates, deletes and reads back through a second store', async () => {
    const store = postgresStore();
    const manager = new TaskManager('/nonexistent', { store });
    const a = await manager.createTask('s1', 'A', 'first');
    const b = await manager.createTask('s1', 'B', 'second', a.id);
    await manager.updateTaskStatus('s1', b.id, 'in_progress');
    await manager.createTask('s1', 'C', 'third');
    await manager.deleteTask('s1', a.id);
    const other = postgresStore({ schema: store.schema });
    const m2 = new TaskManager('/nonexistent', { store: other });
    const tasks = await m2.listTasks('s1');
    expect(tasks.map((t) => t.name)).toEqual((await manager.listTasks('s1')).map((t) => t.name));
    expect(await m2.listSessions()).toEqual(['s1']);
    expect(manager.sessionPath('s1')).toMatch(/^postgres:\/\/127\.0\.0\.1:\d+\/postgres#gt_\w+\/s1$/);
  });
});
