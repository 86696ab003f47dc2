import { TaskList as TL1, TaskManager as TM1 } from '../src/index.js';
import { PostgresTaskStore as PS1 } from '../src/store/postgres/index.js';
// @ts-ignore
import { TaskList as TL0, TaskManager as TM0 } from '/tmp/pgclaims-head/src/index.ts';
// @ts-ignore
import { PostgresTaskStore as PS0 } from '/tmp/pgclaims-head/src/store/postgres/index.ts';
import os from 'node:os';
import { buildShape, SESSION, tid } from './complexity-ops.js';
import { startServer } from './postgres.js';
const server = await startServer();
const n = Number(process.argv[2] ?? 1000);
const iters = Number(process.argv[3] ?? 300);
try {
  const mk = async (TM: any, TL: any, PS: any, schema: string) => {
    const store = new PS({ connectionString: server.url }, { schema });
    const m = new TM('.', { store });
    await m.replaceTaskList(SESSION, TL.fromData({ session_id: SESSION, tasks: buildShape('tree4', n) ?? [], current_task_id: null }));
    return { m, store };
  };
  const sides = { before: await mk(TM0, TL0, PS0, 'ab_before'), after: await mk(TM1, TL1, PS1, 'ab_after') };
  const ops: Record<string, (m: any, i: number) => Promise<unknown>> = {
    getTask: (m, i) => m.getTask(SESSION, tid((i * 7919) % n)),
    updateTaskStatus: (m, i) => m.updateTaskStatus(SESSION, tid(n - 1 - (i % 10)), Math.floor(i / 10) % 2 === 0 ? 'InProgress' : 'NotStarted'),
    claimNextTask: (m, i) => m.claimNextTask(SESSION, `a${i}`),
  };
  const out: Record<string, Record<string, number>> = {};
  for (const [op, fn] of Object.entries(ops)) {
    const s: Record<string, number[]> = { before: [], after: [] };
    const k = op === 'getTask' ? iters * 4 : op === 'claimNextTask' ? Math.min(iters, n / 2) : iters;
    for (let i = -5; i < k; i++) for (const side of ['before', 'after'] as const) {
      const t0 = performance.now(); await fn(sides[side].m, Math.abs(i)); const dt = performance.now() - t0;
      if (i >= 0) s[side]!.push(dt);
    }
    const med = (x: number[]) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
    out[op] = { before: +med(s.before!).toFixed(3), after: +med(s.after!).toFixed(3) };
  }
  console.log(JSON.stringify({ n, load: os.loadavg()[0], medianMs: out }));
  for (const s of Object.values(sides)) await s.store.close();
} finally { await server.stop(); }
