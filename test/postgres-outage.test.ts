/**
 * The PostgreSQL server goes away under a running client (README "Many machines", guarantees over
 * the network). The server here is the test's own, so it can be stopped, restarted and frozen; the
 * client is a child process, so a hang, an unhandled rejection or a crash shows as its exit code
 * and stderr. While the server is down (stopped: connections refused) or frozen (SIGSTOP: the port
 * takes connections and nothing answers, as over a network that drops packets), every call fails
 * with a TaskIoError naming the store; once it is back, calls succeed; every commit that was
 * acknowledged is still there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskManager } from '../src/index.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { startTsx } from './helpers/live-child.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../scripts/embedded-postgres.js';

interface Step {
  i: number;
  op: 'create' | 'list';
  name: string;
  ok: boolean;
  ms: number;
  error: { name: string; kind: string | null; message: string } | null;
}

let server: EmbeddedServer;
beforeAll(async () => {
  server = await startEmbeddedPostgres({ label: 'outage' });
}, 60_000);
afterAll(async () => {
  try {
    server?.signalAll('SIGCONT');
  } catch {
    // not frozen, or already stopped
  }
  await server?.destroy();
});

describe('PostgreSQL store: the server stops, restarts and freezes during a run', () => {
  it('calls fail with a TaskIoError naming the store while it is away, succeed after, and nothing committed is lost', async () => {
    const timeoutMs = 1500;
    const schema = 'outage';
    const client = startTsx('test/workers/pg-outage-client.ts', [JSON.stringify({ url: server.url, schema, session: 's', timeoutMs })]);
    const steps = (): Step[] => client.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Step);
    const okAfter = (from: number, count: number) => () => steps().filter((s) => s.i >= from && s.ok).length >= count;
    const failedAfter = (from: number, count: number) => () => steps().filter((s) => s.i >= from && !s.ok).length >= count;
    const nextStep = (): number => steps().length;
    const phases: Record<string, { from: number; to: number }> = {};

    try {
      await client.waitUntil(okAfter(0, 6));

      // 1. Stopped (fast shutdown: every connection is cut, new ones are refused), then restarted.
      let from = nextStep();
      await server.stop();
      const stoppedAt = nextStep();
      await client.waitUntil(failedAfter(stoppedAt, 4));
      await server.start();
      const restartedAt = nextStep();
      await client.waitUntil(okAfter(restartedAt, 6));
      phases.stopped = { from, to: restartedAt };

      // 2. Frozen (no answer at all: only the store's timeout ends a call), then resumed.
      from = nextStep();
      server.signalAll('SIGSTOP');
      const frozenAt = nextStep();
      try {
        await client.waitUntil(failedAfter(frozenAt, 3));
      } finally {
        server.signalAll('SIGCONT');
      }
      const resumedAt = nextStep();
      await client.waitUntil(okAfter(resumedAt, 6));
      phases.frozen = { from, to: resumedAt };
    } finally {
      client.child.stdin.end('stop\n');
    }
    const exit = await client.exited;
    // No crash, no unhandled rejection, no warning; it closed its store and ended by itself.
    expect({ code: exit.code, signal: exit.signal, stderr: client.stderr() }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(client.lines.at(-1)).toBe('closed');

    const all = steps();
    const failures = all.filter((s) => !s.ok);
    expect(failures.length).toBeGreaterThanOrEqual(7);
    for (const f of failures) {
      expect(f.error?.name).toBe('TaskIoError');
      expect(f.error?.kind).toBe('Io');
      // Names the store: server, schema and session (never the password).
      expect(f.error?.message).toContain(`'postgres://127.0.0.1:${server.port}/postgres#${schema}/s'`);
      expect(f.error?.message).not.toContain('gestura-own');
    }
    // Every failure happened while the server was away (calls in flight when it left included).
    const away = (s: Step): boolean => Object.values(phases).some((p) => s.i >= p.from && s.i <= p.to);
    expect(failures.filter((f) => !away(f))).toEqual([]);

    // Nothing acknowledged is lost: every created task that was reported ok is stored, once.
    const reader = new PostgresTaskStore({ connectionString: server.url }, { schema });
    try {
      const names = (await new TaskManager('.', { store: reader }).listTasks('s')).map((t) => t.name);
      const acknowledged = all.filter((s) => s.ok && s.op === 'create').map((s) => s.name);
      expect(names.filter((n) => acknowledged.includes(n))).toEqual(acknowledged);
      // A failed create may have landed only if it was in flight when the server left.
      const landedDespiteFailure = failures.filter((f) => f.op === 'create' && names.includes(f.name));
      expect(new Set(names).size).toBe(names.length);
      console.info(
        `postgres outage: ${all.length} calls, ${failures.length} failed (max ${Math.max(...failures.map((f) => f.ms))} ms, timeout ${timeoutMs} ms), ` +
          `${acknowledged.length} acknowledged creates all kept, ${landedDespiteFailure.length} failed creates landed`,
      );
    } finally {
      await reader.close();
    }
  }, 120_000);
});
