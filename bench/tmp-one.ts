import { TaskList, TaskManager } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { buildShape } from './complexity-ops.js';
import { startServer } from './postgres.js';
const server = await startServer();
try {
  const store = new PostgresTaskStore({ connectionString: server.url }, { schema: 'one' });
  const m = new TaskManager('.', { store });
  const n = Number(process.argv[2] ?? 2000);
  await m.replaceTaskList('claims', TaskList.fromData({ session_id: 'claims', tasks: (buildShape('flat', n) ?? []).map((t) => ({ ...t, session_id: 'claims' })), current_task_id: null }));
  const cpu0 = process.cpuUsage(); const t0 = performance.now();
  let k = 0;
  while ((await m.claimNextTask('claims', 'a')) !== null) k++;
  const ms = performance.now() - t0; const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ claims: k, msPerClaim: ms / k, cpuMsPerClaim: (cpu.user + cpu.system) / 1000 / k }));
  await store.close();
} finally { await server.stop(); }
