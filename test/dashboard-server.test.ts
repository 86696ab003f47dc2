/**
 * The dashboard server over HTTP (no browser): read-only by default, token-guarded writes, refused
 * session ids, security headers, computed views that agree with the library, the live event stream
 * fed by another process, catching up after a reconnect, and the `serve` command.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, TaskManager, mergeProfile, newExecutionEvidence, readClaim, recordEvidence, steppingClock } from '../src/index.js';
import { DEFAULT_DASHBOARD_LEASE_MS, type ClaimResponse } from '../src/dashboard/protocol.js';
import { createDashboardServer, serveDashboard } from '../src/dashboard/index.js';
import type { HelloMessage, ChangesMessage, SessionSummary, SessionView, TaskDetails } from '../src/dashboard/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { ensureAssets, startDashboard, type RunningDashboard } from './helpers/dashboard.js';
import { PostgresTaskStore } from '../src/store/postgres/index.js';
import { dropSchema, postgresStore, queryTest, testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';
import { repoRoot, runTsx } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();
beforeAll(() => ensureAssets());

const running: RunningDashboard[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.close();
});

async function dashboard(manager: TaskManager, options: Parameters<typeof startDashboard>[1] = {}): Promise<RunningDashboard> {
  const d = await startDashboard(manager, options);
  running.push(d);
  return d;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request (fetch cannot send every method or a forged Host header). */
function request(base: string, method: string, urlPath: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    const req = http.request(`${base}${urlPath}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function postJson(base: string, urlPath: string, body: unknown, token?: string): Promise<Reply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== undefined) headers['X-Gestura-Token'] = token;
  return request(base, 'POST', urlPath, { headers, body: JSON.stringify(body) });
}

async function sampleSession(dir: string): Promise<{ manager: TaskManager; ids: { root: string; a: string; b: string; c: string } }> {
  const manager = new TaskManager(dir, { durability: 'none' });
  const ids = await manager.batch('s1', (tx) => {
    const root = tx.createTask('Root', 'the root');
    const a = tx.createTask('A', '', root.id);
    const b = tx.createTask('B', '', root.id);
    const c = tx.createTask('C', 'waits for A');
    tx.addTaskDependency(c.id, a.id);
    tx.updateExecutionState(a.id, (s) => {
      mergeProfile(s, { execution_kind: 'implementation', requires_mutation: true, requires_test: true });
      recordEvidence(s, newExecutionEvidence('mutation', 'edited parser', 'edit_file'));
      recordEvidence(s, newExecutionEvidence('test', 'npm test failed', 'shell', 'npm test', false));
    });
    return { root: root.id, a: a.id, b: b.id, c: c.id };
  });
  return { manager, ids };
}

describe('read-only by default', () => {
  it('answers every method but GET and HEAD with 405 and writes nothing', async () => {
    const { manager, ids } = await sampleSession(tempDir());
    const d = await dashboard(manager);
    expect(d.server.token).toBeNull();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const reply = await request(d.base, method, `/api/sessions/s1/tasks/${ids.a}/status`, {
        headers: { 'Content-Type': 'application/json' },
        body: '{"status":"done"}',
      });
      expect(reply.status, method).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
    expect((await manager.getTask('s1', ids.a))?.status).toBe('NotStarted');
  });
});

describe('writes with --allow-writes', () => {
  it('refuses writes without the token or with a wrong one (403) and accepts them with it', async () => {
    const { manager, ids } = await sampleSession(tempDir());
    const d = await dashboard(manager, { allowWrites: true });
    const token = d.server.token as string;
    expect(token.length).toBeGreaterThanOrEqual(32);
    const url = `/api/sessions/s1/tasks/${ids.b}/status`;
    expect((await postJson(d.base, url, { status: 'in_progress' })).status).toBe(403);
    expect((await postJson(d.base, url, { status: 'in_progress' }, `${token.slice(0, -1)}x`)).status).toBe(403);
    expect((await postJson(d.base, url, { status: 'in_progress' }, 'short')).status).toBe(403);
    expect((await manager.getTask('s1', ids.b))?.status).toBe('NotStarted');

    const ok = await postJson(d.base, url, { status: 'in_progress' }, token);
    expect(ok.status).toBe(200);
    expect((await manager.getTask('s1', ids.b))?.status).toBe('InProgress');

    const added = await postJson(d.base, '/api/sessions/s1/tasks', { name: 'Added from the page', parentId: ids.root }, token);
    expect(added.status).toBe(201);
    const addedId = (JSON.parse(added.body) as { id: string }).id;
    expect((await manager.getTask('s1', addedId))?.parent_id).toBe(ids.root);

    const claimed = await postJson(d.base, '/api/sessions/s1/claim', { agentId: 'agent-7' }, token);
    expect(claimed.status).toBe(200);
    const claimedTask = await manager.getTask('s1', (JSON.parse(claimed.body) as { id: string }).id);
    expect(claimedTask).toMatchObject({ status: 'InProgress', agent_id: 'agent-7' });
    // A claim through the page is always leased (default 30 minutes) and says so.
    const reply = JSON.parse(claimed.body) as ClaimResponse;
    expect(reply.claim).toMatchObject({ agentId: 'agent-7', leaseMs: DEFAULT_DASHBOARD_LEASE_MS, expired: false });
    expect(readClaim(claimedTask!)).toMatchObject({ agent_id: 'agent-7', token: reply.claim!.token, lease_ms: DEFAULT_DASHBOARD_LEASE_MS });
  });

  it('claims with the lease asked for, records who did what, and shows a task\'s history newest first in its details', async () => {
    const dir = tempDir();
    const agentManager = new TaskManager(dir, { history: true, durability: 'none' });
    const a = await agentManager.createTask('s1', 'A <img src=x onerror=alert(1)>', '', null, { agentId: 'planner' });
    const front = new TaskManager(dir, { history: true, actor: 'dashboard', durability: 'none' });
    const d = await dashboard(front, { allowWrites: true, token: 'a-fixed-token-for-this-test' });
    const t = 'a-fixed-token-for-this-test';
    const claimed = await postJson(d.base, '/api/sessions/s1/claim', { agentId: 'agent-9', lease: '90s' }, t);
    expect(claimed.status).toBe(200);
    expect((JSON.parse(claimed.body) as ClaimResponse).claim).toMatchObject({ agentId: 'agent-9', leaseMs: 90_000 });
    expect((await postJson(d.base, '/api/sessions/s1/claim', { agentId: 'x', lease: 'forever' }, t)).status).toBe(400);
    expect((await postJson(d.base, '/api/sessions/s1/claim', { agentId: 'x', leaseMs: 0 }, t)).status).toBe(400);
    expect((await postJson(d.base, `/api/sessions/s1/tasks/${a.id}/status`, { status: 'done' }, t)).status).toBe(200);
    const details = JSON.parse((await request(d.base, 'GET', `/api/sessions/s1/tasks/${a.id}`)).body) as TaskDetails;
    expect(details.history?.map((h) => [h.type, h.actor])).toEqual([
      ['status_changed', 'dashboard'],
      ['status_changed', 'agent-9'],
      ['claim_taken', 'agent-9'],
      ['created', 'planner'],
    ]);
    expect(details.history?.[0]?.text).toBe('status in_progress → completed');
    expect(details.history?.at(-1)?.text).toBe("created 'A <img src=x onerror=alert(1)>'");
    expect(details.historyMore).toBe(false);
    expect(details.claim).toMatchObject({ agentId: 'agent-9', leaseMs: 90_000 });
    // A manager without history: the details say none is kept.
    const plain = await dashboard(new TaskManager(dir));
    const none = JSON.parse((await request(plain.base, 'GET', `/api/sessions/s1/tasks/${a.id}`)).body) as TaskDetails;
    expect(none.history).toBeNull();
  });

  it("passes the library's refusals on: completing a task that waits is 400 with the library's message", async () => {
    const { manager, ids } = await sampleSession(tempDir());
    const d = await dashboard(manager, { allowWrites: true, token: 'a-fixed-token-for-this-test' });
    const reply = await postJson(d.base, `/api/sessions/s1/tasks/${ids.c}/status`, { status: 'done' }, 'a-fixed-token-for-this-test');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: "Invalid input: task 'C' cannot be completed while dependencies remain open" });
    const missing = await postJson(d.base, '/api/sessions/s1/tasks/nope/status', { status: 'done' }, 'a-fixed-token-for-this-test');
    expect(missing.status).toBe(404);
    const notJson = await request(d.base, 'POST', `/api/sessions/s1/tasks/${ids.c}/status`, {
      headers: { 'Content-Type': 'text/plain', 'X-Gestura-Token': 'a-fixed-token-for-this-test' },
      body: 'status=done',
    });
    expect(notJson.status).toBe(415);
  });
});

describe('options', () => {
  it('are checked: a bad manager, token, interval or host list is an InvalidInputError naming it', async () => {
    const manager = new TaskManager(tempDir());
    const bad: [unknown, unknown, string][] = [
      [{}, {}, 'Invalid input: manager must be a TaskManager'],
      [manager, { allowWrites: 'yes' }, 'Invalid input: allowWrites must be a boolean, got string "yes"'],
      [manager, { allowWrites: true, token: 'short' }, 'Invalid input: token must be at least 16 printable ASCII characters without spaces'],
      [manager, { allowWrites: true, token: 'sixteen chars with spaces' }, 'Invalid input: token must be at least 16 printable ASCII characters without spaces'],
      [manager, { pollIntervalMs: 1 }, 'Invalid input: pollIntervalMs'],
      [manager, { sessionsIntervalMs: 2.5 }, 'Invalid input: sessionsIntervalMs'],
      [manager, { allowedHosts: 'example.com' }, 'Invalid input: allowedHosts must be an array of host names'],
    ];
    for (const [m, options, message] of bad) {
      expect(() => createDashboardServer(m as TaskManager, options as never)).toThrow(InvalidInputError);
      expect(() => createDashboardServer(m as TaskManager, options as never)).toThrow(message);
    }
    await expect(serveDashboard(manager, { host: '0.0.0.0', allowWrites: true, port: 0 })).rejects.toThrow(
      'Invalid input: refusing --allow-writes on 0.0.0.0, which other machines can reach; add --allow-remote-writes to accept that',
    );
    const remote = await serveDashboard(manager, { host: '127.0.0.1', allowWrites: true, allowRemoteWrites: true, port: 0 });
    expect(remote.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    await remote.close();
  });
});

describe('requests the server refuses', () => {
  it('refuses a bad session id with 400 before touching the disk', async () => {
    const { manager } = await sampleSession(tempDir());
    const d = await dashboard(manager);
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', '.hidden', '%2Fetc%2Fpasswd', 'a%00b', 'con', 'x'.repeat(129)]) {
      expect((await request(d.base, 'GET', `/api/sessions/${bad}`)).status, bad).toBe(400);
      expect((await request(d.base, 'GET', `/api/sessions/${bad}/tasks/x`)).status, bad).toBe(400);
      expect((await request(d.base, 'GET', `/api/events?session=${bad}`)).status, bad).toBe(400);
    }
    expect((await request(d.base, 'GET', '/api/sessions/%E0%A4%A')).status).toBe(400);
    expect((await request(d.base, 'GET', '/../../etc/passwd')).status).toBe(404);
    expect((await request(d.base, 'GET', '/assets/../package.json')).status).toBe(404);
  });

  it('refuses a foreign Host header on a loopback connection (DNS rebinding)', async () => {
    const { manager } = await sampleSession(tempDir());
    const d = await dashboard(manager);
    expect((await request(d.base, 'GET', '/api/sessions', { headers: { Host: 'evil.example:80' } })).status).toBe(403);
    expect((await request(d.base, 'GET', '/api/sessions', { headers: { Host: 'localhost:1234' } })).status).toBe(200);
  });

  it('sends a strict CSP, nosniff and no-referrer on the page, its files and the API', async () => {
    const { manager } = await sampleSession(tempDir());
    const d = await dashboard(manager);
    for (const urlPath of ['/', '/assets/app.js', '/assets/app.css', '/api/sessions', '/api/nope']) {
      const reply = await request(d.base, 'GET', urlPath);
      const csp = String(reply.headers['content-security-policy']);
      expect(csp, urlPath).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
    }
    const page = await request(d.base, 'GET', '/');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script in the page
    expect(page.body).not.toMatch(/\sstyle=|\son[a-z]+=/i);
    expect(page.body).not.toMatch(/https?:\/\//); // nothing from elsewhere
  });
});

describe('views computed with the library', () => {
  it("marks ready and blocked exactly as the manager's readyTasks and isTaskBlocked do", async () => {
    const { manager, ids } = await sampleSession(tempDir());
    const d = await dashboard(manager);
    const view = JSON.parse((await request(d.base, 'GET', '/api/sessions/s1')).body) as SessionView;
    const ready = (await manager.readyTasks('s1')).map((t) => t.id);
    expect(view.ready).toEqual(ready);
    expect(view.rows.filter((r) => r.ready).map((r) => r.id).sort()).toEqual([...ready].sort());
    for (const row of view.rows) expect(row.blocked, row.name).toBe(await manager.isTaskBlocked('s1', row.id));
    // Tree order with depth and subtree sizes.
    expect(view.rows.map((r) => [r.name, r.depth, r.subtree])).toEqual([
      ['Root', 0, 2],
      ['A', 1, 0],
      ['B', 1, 0],
      ['C', 0, 0],
    ]);
    expect(view.rows.find((r) => r.id === ids.c)?.waitsFor).toEqual([ids.a]);
  });

  it('shows each leased claim with its agent, token and lease left, and an expired one as expired and ready', async () => {
    const dir = tempDir();
    const { manager, ids } = await sampleSession(dir);
    // A claim taken "in 2025" with a one-second lease ran out long ago; one taken now for an hour holds.
    const past = new TaskManager(dir, { durability: 'none', clock: steppingClock('2025-01-01T00:00:00Z') });
    const stale = await past.claimTask('s1', ids.a, 'agent-old', { leaseMs: 1000 });
    const live = await manager.claimTask('s1', ids.b, 'agent-\u001b[31mnew', { leaseMs: 3_600_000 });
    const d = await dashboard(manager);

    const view = JSON.parse((await request(d.base, 'GET', '/api/sessions/s1')).body) as SessionView;
    const rowA = view.rows.find((r) => r.id === ids.a);
    const rowB = view.rows.find((r) => r.id === ids.b);
    const staleToken = (stale.metadata as { claim: { token: number } }).claim.token;
    const liveToken = (live.metadata as { claim: { token: number } }).claim.token;
    expect(rowA?.claim).toMatchObject({ agentId: 'agent-old', token: staleToken, expired: true, remainingMs: 0, leaseMs: 1000 });
    expect(rowA?.claim?.label).toBe(`agent-old · token ${staleToken} · expired`);
    expect(rowB?.claim).toMatchObject({ agentId: 'agent-\u001b[31mnew', token: liveToken, expired: false, leaseMs: 3_600_000 });
    expect(rowB?.claim?.remainingMs).toBeGreaterThan(0);
    expect(rowB?.claim?.remainingMs).toBeLessThanOrEqual(3_600_000);
    expect(rowB?.claim?.label).toMatch(new RegExp(`^agent-\u001b\\[31mnew · token ${liveToken} · \\d+m \\d+s left$`));
    expect(view.rows.find((r) => r.id === ids.c)?.claim).toBeNull();
    // The expired claim no longer holds: the task is ready, as the manager says.
    expect(rowA?.ready).toBe(true);
    expect(rowB?.ready).toBe(false);
    expect(view.ready).toEqual((await manager.readyTasks('s1')).map((t) => t.id));

    const details = JSON.parse((await request(d.base, 'GET', `/api/sessions/s1/tasks/${ids.b}`)).body) as TaskDetails;
    expect(details.claim).toMatchObject({ agentId: 'agent-\u001b[31mnew', token: liveToken, expired: false });
    const noClaim = JSON.parse((await request(d.base, 'GET', `/api/sessions/s1/tasks/${ids.c}`)).body) as TaskDetails;
    expect(noClaim.claim).toBeNull();
  });

  it('says which verification requirements are still missing, and why a task cannot complete', async () => {
    const { manager, ids } = await sampleSession(tempDir());
    const d = await dashboard(manager);
    const a = JSON.parse((await request(d.base, 'GET', `/api/sessions/s1/tasks/${ids.a}`)).body) as TaskDetails;
    expect(a.verification).toMatchObject({ executionKind: 'implementation', satisfied: false, missing: ['test'] });
    expect(a.verification?.requires).toEqual(['requires_mutation', 'requires_test']);
    expect(a.verification?.evidence.map((e) => [e.kind, e.summary, e.toolName, e.command, e.success])).toEqual([
      ['mutation', 'edited parser', 'edit_file', null, true],
      ['test', 'npm test failed', 'shell', 'npm test', false],
    ]);
    const c = JSON.parse((await request(d.base, 'GET', `/api/sessions/s1/tasks/${ids.c}`)).body) as TaskDetails;
    expect(c.completionBlocker).toBe("task 'C' cannot be completed while dependencies remain open");
    expect(c.waitsFor).toEqual([{ id: ids.a, name: 'A', status: 'NotStarted', done: false }]);
    expect((await request(d.base, 'GET', '/api/sessions/s1/tasks/missing')).status).toBe(404);
  });

  it('keeps serving when a session file is corrupt: the list says why, its view is an error', async () => {
    const dir = tempDir();
    const { manager } = await sampleSession(dir);
    const broken = manager.sessionPath('broken');
    fs.writeFileSync(broken, '{"session_id": "broken", "tasks": [');
    const d = await dashboard(manager);
    const sessions = JSON.parse((await request(d.base, 'GET', '/api/sessions')).body) as SessionSummary[];
    expect(sessions.map((s) => s.id).sort()).toEqual(['broken', 's1']);
    expect(sessions.find((s) => s.id === 'broken')?.error).toMatch(/^Serialization error: /);
    const view = await request(d.base, 'GET', '/api/sessions/broken');
    expect(view.status).toBe(500);
    expect(JSON.parse(view.body).error).toMatch(/^Serialization error: /);
    expect((await request(d.base, 'GET', '/api/sessions/s1')).status).toBe(200);
  });

  it('lists sessions most recently changed first, with counts per status', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { durability: 'none' });
    await manager.createTask('older', 'x', '');
    await manager.createTask('newer', 'y', '');
    const done = await manager.createTask('older', 'z', '');
    await manager.updateTaskStatus('older', done.id, 'done');
    const d = await dashboard(manager);
    const sessions = JSON.parse((await request(d.base, 'GET', '/api/sessions')).body) as SessionSummary[];
    expect(sessions.map((s) => s.id)).toEqual(['older', 'newer']);
    expect(sessions[0]).toMatchObject({ total: 2, counts: { NotStarted: 1, Completed: 1 }, ready: 1 });
  });
});

/** An open event stream: its events, parsed, as they arrive. */
interface EventStream {
  events: { event: string; id: string | null; data: unknown }[];
  next(event: string, after?: number): Promise<{ id: string | null; data: unknown }>;
  close(): void;
}

function openEvents(base: string, urlPath: string, lastEventId?: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
    const req = http.get(`${base}${urlPath}`, { headers }, (res) => {
      const events: EventStream['events'] = [];
      const waiters: (() => void)[] = [];
      let buffer = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          if (!fields.has('event')) continue;
          events.push({ event: fields.get('event') as string, id: fields.get('id') ?? null, data: JSON.parse(fields.get('data') ?? 'null') });
          for (const wake of waiters.splice(0)) wake();
        }
      });
      res.on('error', () => undefined);
      resolve({
        events,
        next: (event, after = 0) =>
          new Promise((done) => {
            const look = (): void => {
              const found = events.slice(after).find((e) => e.event === event);
              if (found !== undefined) done(found);
              else waiters.push(look);
            };
            look();
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

describe('live updates', () => {
  it("streams a change made by another process, and a reconnect with Last-Event-ID gets what it missed", async () => {
    const dir = tempDir();
    const { manager, ids } = await sampleSession(dir);
    const d = await dashboard(manager);
    const stream = await openEvents(d.base, '/api/events?session=s1');
    const hello = await stream.next('hello');
    expect((hello.data as HelloMessage).missed).toEqual([]);
    // A second page stays connected throughout: it tells when the server has seen each change.
    const other = await openEvents(d.base, '/api/events?session=s1');
    await other.next('hello');

    const cli = await runTsx('src/cli/main.ts', ['--dir', dir, '--session', 's1', 'status', ids.b, 'in_progress']);
    expect(cli.code).toBe(0);
    const changes = await stream.next('changes');
    const message = changes.data as ChangesMessage;
    expect(message.entries).toContainEqual(expect.objectContaining({ type: 'status_changed', taskId: ids.b, text: '“B”: not_started → in_progress' }));
    await other.next('changes');
    const seenByOther = other.events.length;
    stream.close();

    // While the first page is away: an update (the log says what changed) and a status change.
    await manager.setTaskBackgroundJob('s1', ids.a, { status: 'Running', job_id: 'j1' });
    const job = (await other.next('changes', seenByOther)).data as ChangesMessage;
    expect(job.entries).toEqual([expect.objectContaining({ type: 'updated', taskId: ids.a, text: 'updated “A”: job – → Running' })]);
    const afterJob = other.events.length;
    await runTsx('src/cli/main.ts', ['--dir', dir, '--session', 's1', 'status', ids.b, 'cancelled']);
    await other.next('changes', afterJob);
    other.close();
    // Reconnecting, the first page names the last id it saw and is sent both.
    const again = await openEvents(d.base, '/api/events?session=s1', changes.id as string);
    const caughtUp = (await again.next('hello')).data as HelloMessage;
    expect(caughtUp.missed.map((e) => e.text)).toEqual(['updated “A”: job – → Running', '“B”: in_progress → cancelled']);
    again.close();
  });
});

describe('the session list on a store with a change feed', () => {
  it('is pushed when another manager creates a session or changes one, or a lease runs out, with no timer; a new session alone lists them again', async () => {
    const store = postgresStore({ history: true });
    let listings = 0;
    const listSessions = store.listSessions.bind(store);
    store.listSessions = () => {
      listings++;
      return listSessions();
    };
    const manager = new TaskManager(tempDir(), { store });
    const first = await manager.createTask('first', 'here from the start', '');
    // The timer would not fire during the test: whatever arrives comes from the feed.
    const d = await dashboard(manager, { sessionsIntervalMs: 2 ** 31 - 1 });
    const stream = await openEvents(d.base, '/api/events');
    await stream.next('hello');

    // Another manager, with a pool of its own (as on another host).
    const other = new TaskManager(tempDir(), { store: postgresStore({ schema: store.schema, history: true }) });
    await other.createTask('second', 'made elsewhere', '');
    const listed = (await stream.next('sessions')).data as SessionSummary[];
    expect(listed.map((x) => x.id)).toEqual(['second', 'first']);
    const listingsThen = listings;

    // A change to a known session: only that one is read again, the sessions are not listed.
    const seen = stream.events.length;
    await other.claimTask('first', first.id, 'agent-9', { leaseMs: 2000 });
    const claimed = (await stream.next('sessions', seen)).data as SessionSummary[];
    expect(claimed.find((x) => x.id === 'first')).toMatchObject({ ready: 0, counts: { InProgress: 1 } });
    // No write at all: the lease runs out and the task is ready again.
    const expired = (await stream.next('sessions', stream.events.length)).data as SessionSummary[];
    expect(expired.find((x) => x.id === 'first')).toMatchObject({ ready: 1 });
    expect(listings).toBe(listingsThen);
    stream.close();
  });
});

describe('the session list after the change feed was lost', () => {
  it('lists the sessions again once the feed is back: a session created while it was down shows', { timeout: 60_000 }, async () => {
    const name = uniqueSchema('dash');
    const store = new PostgresTaskStore({ connectionString: `${testDatabaseUrl()}?application_name=${name}` }, { schema: name, history: true });
    const other = postgresStore({ schema: name, history: true });
    try {
      const manager = new TaskManager(tempDir(), { store });
      await manager.createTask('first', 'here from the start', '');
      const d = await dashboard(manager, { sessionsIntervalMs: 2 ** 31 - 1 });
      const stream = await openEvents(d.base, '/api/events');
      await stream.next('hello');
      const [listener] = await queryTest<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'", [name]);
      expect(listener).toBeDefined();
      await queryTest('SELECT pg_terminate_backend($1)', [listener?.pid]);
      // Committed while the feed reconnects (its notification is most likely lost): the resync finds it.
      await new TaskManager(tempDir(), { store: other }).createTask('while-down', 'made meanwhile', '');
      for (let from = 0; ; ) {
        const event = await stream.next('sessions', from);
        if ((event.data as SessionSummary[]).some((x) => x.id === 'while-down')) break;
        from = stream.events.indexOf(event as (typeof stream.events)[number]) + 1;
      }
      stream.close();
    } finally {
      await store.close();
      await dropSchema(name);
    }
  });
});

describe('gestura-tasks serve', () => {
  function serve(args: string[]): { firstLine: Promise<string>; exit: Promise<number | null>; stop(): void; stderr: () => string } {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const firstLine = new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
      });
      child.on('close', () => reject(new Error(`exited before printing a line: ${stderr}`)));
    });
    firstLine.catch(() => undefined);
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { firstLine, exit, stop: () => child.kill('SIGTERM'), stderr: () => stderr };
  }

  it('prints "Listening on http://127.0.0.1:<port>/" first, serves, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    await sampleSession(dir);
    const run = serve(['--dir', dir, 'serve', '--port', '0']);
    const line = await run.firstLine;
    expect(line).toMatch(/^Listening on http:\/\/127\.0\.0\.1:\d+\/$/);
    const base = line.slice('Listening on '.length, -1);
    const sessions = JSON.parse((await request(base, 'GET', '/api/sessions')).body) as SessionSummary[];
    expect(sessions.map((s) => s.id)).toEqual(['s1']);
    expect((await request(base, 'POST', '/api/sessions/s1/claim')).status).toBe(405);
    run.stop();
    expect(await run.exit).toBe(0);
  });

  it('adds ?token=… with --allow-writes, and the token works', async () => {
    const dir = tempDir();
    const { ids } = await sampleSession(dir);
    const run = serve(['--dir', dir, 'serve', '--port', '0', '--allow-writes']);
    const line = await run.firstLine;
    expect(line).toMatch(/^Listening on http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32,}$/);
    const url = new URL(line.slice('Listening on '.length));
    const token = url.searchParams.get('token') as string;
    const base = url.origin;
    expect((await postJson(base, `/api/sessions/s1/tasks/${ids.b}/status`, { status: 'doing' })).status).toBe(403);
    expect((await postJson(base, `/api/sessions/s1/tasks/${ids.b}/status`, { status: 'doing' }, token)).status).toBe(200);
    run.stop();
    expect(await run.exit).toBe(0);
  });

  it('refuses --allow-writes on a non-loopback host unless --allow-remote-writes is given', async () => {
    const dir = tempDir();
    const run = serve(['--dir', dir, 'serve', '--host', '0.0.0.0', '--port', '0', '--allow-writes']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain('refusing --allow-writes on 0.0.0.0');
    const bad = serve(['--dir', dir, 'serve', '--port', '70000']);
    expect(await bad.exit).toBe(2);
  });
});
