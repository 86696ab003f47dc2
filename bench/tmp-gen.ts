import { TaskList, TaskManager } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import os from 'node:os';
import { buildShape, SESSION, tid } from './complexity-ops.js';
import { startServer } from './postgres.js';
const server = await startServer();
const n = Number(process.argv[2] ?? 1000);
const iters = Number(process.argv[3] ?? 300);
try {
  const mk = async (url: string, schema: string) => {
    const store = new PostgresTaskStore({ connectionString: url }, { schema });
    const m = new TaskManager('.', { store });
    await m.replaceTaskList(SESSION, TaskList.fromData({ session_id: SESSION, tasks: buildShape('tree4', n) ?? [], current_task_id: null }));
    return { m, store };
  };
  const sides = { auto: await mk(server.url, 'g_auto'), generic: await mk(`${server.url}?options=${encodeURIComponent('-c plan_cache_mode=force_generic_plan')}`, 'g_gen') };
  const ops: Record<string, (m: TaskManager, i: number) => Promise<unknown>> = {
    getTask: (m, i) => m.getTask(SESSION, tid((i * 7919) % n)),
    updateTaskStatus: (m, i) => m.updateTaskStatus(SESSION, tid(n - 1 - (i % 10)), Math.floor(i / 10) % 2 === 0 ? 'InProgress' : 'NotStarted'),
  };
  const out: Record<string, Record<string, number>> = {};
  for (const [op, fn] of Object.entries(ops)) {
    const s: Record<string, number[]> = { auto: [], generic: [] };
    const k = op === 'getTask' ? iters * 4 : iters;
    for (let i = -10; i < k; i++) for (const side of ['auto', 'generic'] as const) {
      const t0 = performance.now(); await fn(sides[side].m, Math.abs(i)); const dt = performance.now() - t0;
      if (i >= 0) s[side]!.push(dt);
    }
    const med = (x: number[]) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
    out[op] = { auto: +med(s.auto!).toFixed(3), generic: +med(s.generic!).toFixed(3) };
  }
  console.log(JSON.stringify({ n, load: os.loadavg()[0], medianMs: out }));
  for (const s of Object.values(sides)) await s.store.close();
} finally { await server.stop(); }
