import pg from 'pg';
import { TaskList, TaskManager } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { statements } from '../src/store/postgres/statements.js';
import { buildShape, SESSION } from './complexity-ops.js';
import { startServer } from './postgres.js';
const server = await startServer();
try {
  const store = new PostgresTaskStore({ connectionString: server.url }, { schema: 'ex' });
  const m = new TaskManager('.', { store });
  await m.replaceTaskList(SESSION, TaskList.fromData({ session_id: SESSION, tasks: buildShape('tree4', 10000) ?? [], current_task_id: null }));
  await store.close();
  const c = new pg.Client({ connectionString: server.url }); await c.connect();
  await c.query('ANALYZE ex.tasks'); await c.query('ANALYZE ex.sessions');
  const sql = statements('"ex"');
  for (const k of ['lock', 'read', 'write'] as const) {
    const r = await c.query(`EXPLAIN (GENERIC_PLAN, COSTS OFF) ${sql[k]}`);
    console.log(`--- ${k}\n` + r.rows.map((x: any) => x['QUERY PLAN']).join('\n'));
  }
  await c.end();
} finally { await server.stop(); }
