/**
 * The PostgreSQL store across real processes on a real server (README "Many machines"): writers
 * on several "hosts" (separate connection pools) lose nothing, and concurrent claimers never take
 * a task twice.
 */
import { describe, expect, it } from 'vitest';
import { TaskManager } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { postgresStore, testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';
import { bundleWorker } from './helpers/bundle-worker.js';
import { startNode } from './helpers/live-child.js';

/** Runs a worker (bundled: many processes start at once) to its end with the test server's URL. */
async function runWorker(file: string, config: unknown): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startNode([await bundleWorker(file), JSON.stringify(config)], { ...process.env, GESTURA_TEST_DATABASE_URL: testDatabaseUrl() });
  const { code } = await child.exited;
  return { code, stdout: child.lines.join('\n'), stderr: child.stderr() };
}

describe('PostgreSQL store: many processes, many hosts', () => {
  it('4 processes × 2 pools × 150 changes on one session: every change is there, in each writer’s order', async () => {
    const schema = uniqueSchema('hosts');
    const store = postgresStore({ schema });
    const manager = new TaskManager('.', { store });
    const shared = await manager.createTask('s', 'shared', 'every writer makes me wait for its tasks');
    const prefixes = ['p0', 'p1', 'p2', 'p3'];
    const count = 150;
    const results = await Promise.all(
      prefixes.map((prefix) =>
        runWorker('test/workers/pg-two-hosts-writer.ts', { schema, session: 's', prefix, count, sharedId: shared.id }),
      ),
    );
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });

    // Read back through this (cached) store and through a store that never saw the session.
    const fresh = new PostgresTaskStore({ connectionString: testDatabaseUrl() }, { schema });
    try {
      for (const reader of [manager, new TaskManager('.', { store: fresh })]) {
        const tasks = await reader.listTasks('s');
        const written = tasks.filter((t) => t.id !== shared.id);
        const expected = prefixes.flatMap((p) => Array.from({ length: count }, (_, i) => `${p}-${i}`));
        expect(written.map((t) => t.name).sort()).toEqual(expected.sort());
        const blockedBy = (await reader.getTask('s', shared.id))!.blocked_by;
        expect(blockedBy).toHaveLength(prefixes.length * count);
        expect(new Set(blockedBy)).toEqual(new Set(written.map((t) => t.id)));
        for (const p of prefixes) {
          const own = written.filter((t) => t.name.startsWith(`${p}-`)).map((t) => Number(t.name.slice(p.length + 1)));
          expect(own).toEqual(Array.from({ length: count }, (_, i) => i));
        }
      }
    } finally {
      await fresh.close();
    }
  }, 120_000);

  it('8 processes claiming from 200 ready tasks: each task is claimed exactly once', async () => {
    const schema = uniqueSchema('claims');
    const manager = new TaskManager('.', { store: postgresStore({ schema }) });
    const ids = await manager.batch('q', (tx) => Array.from({ length: 200 }, (_, i) => tx.createTask(`job ${i}`, 'ready work').id));
    const agents = Array.from({ length: 8 }, (_, i) => `agent-${i}`);
    const results = await Promise.all(
      agents.map((agent) => runWorker('test/workers/pg-claimer.ts', { schema, session: 'q', agent })),
    );
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const claimedBy = results.map((r) => JSON.parse(r.stdout) as string[]);
    const all = claimedBy.flat();
    expect(all).toHaveLength(200);
    expect(new Set(all)).toEqual(new Set(ids));
    // The stored list agrees with what each process was told.
    const tasks = await manager.listTasks('q');
    agents.forEach((agent, i) => {
      expect(tasks.filter((t) => t.agent_id === agent).map((t) => t.id).sort()).toEqual([...(claimedBy[i] as string[])].sort());
    });
    expect(tasks.every((t) => t.status === 'InProgress')).toBe(true);
    expect(await manager.claimNextTask('q', 'late')).toBeNull();
  }, 120_000);
});
