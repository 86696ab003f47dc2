/**
 * The dashboard in a real browser: headless Chromium (/usr/bin/chromium) driven by playwright-core.
 * The tree shows every task of the demo session; a change made by another process appears without a
 * reload; the details panel shows evidence; hostile task text stays text; writes need the token; a
 * page that lost its server catches up when it comes back; a 10,000-task session renders.
 * No timing is asserted; the first-render time and the update latency are printed.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TaskManager, newExecutionEvidence, recordEvidence, steppingClock } from '../src/index.js';
import { createDashboardServer } from '../src/dashboard/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { ensureAssets, launchBrowser, startDashboard, type RunningDashboard } from './helpers/dashboard.js';
import { repoRoot, runTsx } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();

const RESULTS = path.join(repoRoot, 'test-results');
let browser: Browser;
const running: RunningDashboard[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  await ensureAssets();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const page of pages.splice(0)) await page.context().close();
  for (const d of running.splice(0)) await d.close();
});

async function dashboard(manager: TaskManager, options: Parameters<typeof startDashboard>[1] = {}): Promise<RunningDashboard> {
  const d = await startDashboard(manager, options);
  running.push(d);
  return d;
}

/** A fresh page that records dialogs, page errors and console errors. */
async function openPage(url: string): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 860 } });
  const page = await context.newPage();
  pages.push(page);
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForSelector('body[data-rendered="true"]');
  return { page, dialogs, errors };
}

/** The rows in the DOM: id → status. */
async function rowStatuses(page: Page): Promise<Map<string, string>> {
  const rows = await page.$$eval('[data-task-id][data-status]', (nodes) =>
    nodes.filter((n) => n.classList.contains('row')).map((n) => [n.getAttribute('data-task-id') ?? '', n.getAttribute('data-status') ?? ''] as const),
  );
  return new Map(rows);
}

/** Runs the demo (a real child process) and returns its workspace, read from the command it prints. */
async function runDemo(): Promise<string> {
  const demo = await runTsx('examples/demo.ts', []);
  expect(demo.code, demo.stderr).toBe(0);
  const match = /serve --dir "([^"]+)"/.exec(demo.stdout);
  expect(match, 'the demo ends with the command that opens the dashboard').not.toBeNull();
  return (match as RegExpExecArray)[1] as string;
}

describe('the demo session', () => {
  it('shows every task with its status, and the details panel shows the evidence', async () => {
    const workspace = await runDemo();
    try {
      const manager = new TaskManager(workspace);
      const tasks = await manager.listTasks('demo-session');
      const d = await dashboard(manager);
      const { page, errors } = await openPage(`${d.base}/`);

      const shown = await rowStatuses(page);
      expect(new Map(tasks.map((t) => [t.id, t.status]))).toEqual(shown);
      const ready = (await manager.readyTasks('demo-session')).map((t) => t.id);
      expect(await page.$$eval('[data-ready-id]', (nodes) => nodes.map((n) => n.getAttribute('data-ready-id')))).toEqual(ready);

      // Collapsing a subtree takes its rows out of the DOM; expanding brings them back.
      const plan = tasks.find((t) => t.name === 'Build a CSV-to-JSON CLI');
      const below = tasks.filter((t) => t.parent_id === plan?.id).map((t) => t.id);
      await page.click(`.row[data-task-id="${plan?.id}"] .toggle`);
      await page.waitForSelector(`.row[data-task-id="${below[0]}"]`, { state: 'detached' });
      expect([...(await rowStatuses(page)).keys()].filter((id) => below.includes(id))).toEqual([]);
      await page.click(`.row[data-task-id="${plan?.id}"] .toggle`);
      await page.waitForSelector(`.row[data-task-id="${below[0]}"]`);

      const parse = tasks.find((t) => t.name === 'Parse arguments');
      expect(parse).toBeDefined();
      await page.click(`.row[data-task-id="${parse?.id}"]`);
      await page.waitForSelector('[data-role="detail-name"]:text("Parse arguments")');
      const evidence = await page.$$eval('#details .evidence li', (items) => items.map((li) => [li.getAttribute('data-evidence-kind'), li.textContent]));
      expect(evidence).toHaveLength(4);
      expect(evidence[0]?.[0]).toBe('test');
      expect(evidence[0]?.[1]).toContain('npm test passed: 6 of 6');
      expect(evidence.map((e) => e[1]).join('\n')).toContain('npm test failed: 1 of 6');
      expect(await page.textContent('[data-role="verification"]')).toContain('the evidence meets the profile');

      // Other processes go on working: an agent claims the ready task, a triage agent files a new one.
      const cli = (...args: string[]) => runTsx('src/cli/main.ts', ['--dir', workspace, '--session', 'demo-session', ...args]);
      expect((await cli('claim', '--agent', 'docs-bot')).code).toBe(0);
      const release = tasks.find((t) => t.name === 'Release v0.2');
      expect((await cli('add', 'Fix Windows paths', '-p', release?.id ?? '', '--agent', 'triage-bot')).code).toBe(0);
      const website = tasks.find((t) => t.name === 'Update the website');
      await page.waitForSelector(`.row[data-task-id="${website?.id}"][data-status="InProgress"]`);
      await page.waitForSelector('#log li:has-text("Update the website")');
      await page.waitForSelector('[data-ready-id]:has-text("Fix Windows paths")');
      // Let the change highlight fade and the session list catch up before the picture.
      await page.waitForSelector('.session[data-session-id="demo-session"] [data-count="InProgress"]:has-text("3")');
      await page.waitForTimeout(2_200);

      fs.mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: path.join(RESULTS, 'dashboard-demo.png') });
      if (process.env.GESTURA_UPDATE_SCREENSHOT === '1') await page.screenshot({ path: path.join(repoRoot, 'docs', 'dashboard.png') });
      expect(errors).toEqual([]);
    } finally {
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('live updates', () => {
  it('shows a status change made by another process without a reload', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { durability: 'none' });
    const task = await manager.createTask('s', 'Watch me', '');
    await manager.createTask('s', 'Bystander', '');
    const d = await dashboard(manager);
    const { page } = await openPage(`${d.base}/#session=s`);
    await page.waitForSelector('#connection[data-state="live"]');
    await page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = 'same page'));

    const cli = await runTsx('src/cli/main.ts', ['--dir', dir, '--session', 's', 'status', task.id, 'done']);
    expect(cli.code, cli.stderr).toBe(0);
    const written = Date.now();
    await page.waitForSelector(`.row[data-task-id="${task.id}"][data-status="Completed"]`);
    console.log(`dashboard update latency (CLI process exit → row updated): ${Date.now() - written} ms`);
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe('same page');
    expect(await page.textContent('#log')).toContain('“Watch me”: not_started → completed');
  });

  it('shows leased claims as text: agent, token and lease left, or expired; and a task\'s history', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { durability: 'none', history: true });
    const held = await manager.createTask('s', 'Held', '');
    const lapsed = await manager.createTask('s', 'Lapsed', '');
    // A claim taken "in 2025" for one second has long run out.
    await new TaskManager(dir, { durability: 'none', clock: steppingClock('2025-01-01T00:00:00Z') }).claimTask('s', lapsed.id, 'old-agent', { leaseMs: 1000 });
    const d = await dashboard(manager);
    const { page, dialogs, errors } = await openPage(`${d.base}/#session=s`);
    await page.waitForSelector('#connection[data-state="live"]');

    // Another process claims with a hostile agent id: it shows as text, never as markup.
    const agent = '<img src=x onerror=alert(1)>';
    const cli = await runTsx('src/cli/main.ts', ['--dir', dir, '--session', 's', 'claim', held.id, '--agent', agent, '--lease', '1h']);
    expect(cli.code, cli.stderr).toBe(0);
    const badge = `.row[data-task-id="${held.id}"] [data-role="claim"]`;
    await page.waitForSelector(badge);
    expect(await page.textContent(badge)).toMatch(/^claim <img src=x onerror=alert\(1\)> · token \d+ · \d+m \d+s left$/);
    expect(await page.textContent(`.row[data-task-id="${lapsed.id}"] [data-role="claim"]`)).toMatch(/^claim old-agent · token \d+ · expired$/);
    expect(await page.$$eval(`.row[data-task-id="${lapsed.id}"] .badge-ready`, (n) => n.length)).toBe(1);

    await page.click(`.row[data-task-id="${held.id}"]`);
    await page.waitForSelector('#details [data-role="claim"]');
    expect(await page.textContent('#details [data-role="claim"]')).toMatch(/^<img src=x onerror=alert\(1\)> · token \d+ · \d+m \d+s left \(until \d{4}-/);
    // The history, newest first, names the claiming agent (as text) for the claim the CLI made.
    const history = await page.$$eval('#details [data-role="history"] li', (items) => items.map((li) => [li.getAttribute('data-history-type'), li.textContent]));
    expect(history.map(([type]) => type)).toEqual(['status_changed', 'claim_taken', 'created']);
    expect(history[1]?.[1]).toContain(`${agent} claim taken, token `);
    expect(history[2]?.[1]).toContain("created 'Held'");
    expect(await page.$$eval('img[src="x"]', (n) => n.length)).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('opens the first session another process writes into an empty directory', async () => {
    const dir = tempDir();
    const d = await dashboard(new TaskManager(dir, { durability: 'none' }));
    const { page } = await openPage(`${d.base}/`);
    await page.waitForSelector('#connection[data-state="live"]');
    expect(await page.textContent('#session-title')).toContain('No sessions yet');
    const cli = await runTsx('src/cli/main.ts', ['--dir', dir, '--session', 'fresh', 'add', 'First words']);
    expect(cli.code, cli.stderr).toBe(0);
    await page.waitForSelector('.session[data-session-id="fresh"]');
    await page.waitForSelector('.row[data-status="NotStarted"]:has-text("First words")');
  });

  it('reconnects after losing the server and catches up with what changed meanwhile', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { durability: 'none' });
    const task = await manager.createTask('s', 'Survivor', '');
    const first = await dashboard(manager);
    const { port } = first.server.address() as AddressInfo;
    const { page } = await openPage(`${first.base}/#session=s`);
    await page.waitForSelector('#connection[data-state="live"]');

    await first.close();
    running.splice(running.indexOf(first), 1);
    await page.waitForSelector('#connection[data-state="reconnecting"]');
    await manager.updateTaskStatus('s', task.id, 'in_progress');
    await manager.createTask('s', 'Born while away', '');

    const second = createDashboardServer(manager, { assetsDir: await ensureAssets() });
    await new Promise<void>((resolve) => second.listen(port, '127.0.0.1', resolve));
    running.push({ server: second, base: first.base, close: () => new Promise((resolve) => second.close(() => resolve())) });
    await page.waitForSelector('#connection[data-state="live"]', { timeout: 20_000 });
    await page.waitForSelector(`.row[data-task-id="${task.id}"][data-status="InProgress"]`);
    await page.waitForSelector('.row:has-text("Born while away")');
  }, 40_000);
});

describe('hostile task text', () => {
  const HOSTILE = [
    '<img src=x onerror="window.__xss=1;alert(1)">',
    '</script><script>window.__xss=2;alert(2)</script>',
    '"><svg onload="window.__xss=3;alert(3)">',
    "javascript:alert(4)//' onmouseover='window.__xss=4",
  ];

  it('is shown as text and runs nothing: names, descriptions, agents, evidence, metadata', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { durability: 'none' });
    const ids: string[] = [];
    for (const [i, text] of HOSTILE.entries()) {
      const task = await manager.createAgentTask('s', text, `<iframe src="javascript:alert(${i})"></iframe>${text}`, text);
      await manager.updateTaskMetadata('s', task.id, { html: text, nested: { script: '<script>window.__xss=9</script>' } });
      await manager.updateExecutionState('s', task.id, (s) => {
        recordEvidence(s, newExecutionEvidence('tool_activity', text, text, text));
      });
      ids.push(task.id);
    }
    const d = await dashboard(manager);
    const { page, dialogs, errors } = await openPage(`${d.base}/#session=s`);
    for (const [i, id] of ids.entries()) {
      expect(await page.textContent(`.row[data-task-id="${id}"] .name`)).toBe(HOSTILE[i]);
      await page.click(`.row[data-task-id="${id}"]`);
      await expect.poll(() => page.textContent('[data-role="detail-name"]')).toBe(HOSTILE[i]);
      expect(await page.textContent('#details .description')).toContain(HOSTILE[i]);
      expect(await page.textContent('#details .metadata')).toContain('<script>window.__xss=9</script>');
      expect(await page.textContent('#details .evidence')).toContain(HOSTILE[i]);
      await page.hover(`.row[data-task-id="${id}"] .name`);
    }
    await page.waitForTimeout(300); // give any injected handler (onerror, onload) the chance to run
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    // Nothing from the data became an element: no img, iframe, svg or script besides the page's own.
    expect(await page.$$eval('#tree img, #tree iframe, #tree svg, #details img, #details iframe, #details svg, body script:not([src])', (n) => n.length)).toBe(0);
  });
});

describe('writes from the page', () => {
  it('are refused without the token (403) and applied with it', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { durability: 'none', history: true, actor: 'dashboard' });
    const task = await manager.createTask('s', 'Finish me', '');
    const d = await dashboard(manager, { allowWrites: true });

    // Without the token in the address the page shows no write controls, and a hand-made request fails.
    const anonymous = await openPage(`${d.base}/#session=s`);
    expect(await anonymous.page.isHidden('#add-form')).toBe(true);
    const refused = await anonymous.page.evaluate(async (id) => {
      const response = await fetch(`/api/sessions/s/tasks/${id}/status`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ status: 'done' }),
      });
      return response.status;
    }, task.id);
    expect(refused).toBe(403);
    expect((await manager.getTask('s', task.id))?.status).toBe('NotStarted');

    const { page } = await openPage(`${d.base}/?token=${d.server.token}#session=s&task=${task.id}`);
    await page.waitForSelector('[data-role="status-select"]');
    await page.selectOption('[data-role="status-select"]', 'completed');
    await page.click('[data-role="status-apply"]');
    await page.waitForSelector(`.row[data-task-id="${task.id}"][data-status="Completed"]`);
    expect((await manager.getTask('s', task.id))?.status).toBe('Completed');

    await page.fill('#add-name', 'Made in the browser');
    await page.click('#add-form button[type="submit"]');
    await page.waitForSelector('.row:has-text("Made in the browser")');
    expect((await manager.listTasks('s')).map((t) => t.name)).toContain('Made in the browser');

    // A claim from the page is leased: the lease typed, shown in the details with the history.
    await page.fill('#claim-agent', 'page-agent');
    await page.fill('#claim-lease', '90s');
    await page.click('#claim-form button[type="submit"]');
    await page.waitForSelector('#details [data-role="claim"]:has-text("page-agent · token")');
    const made = (await manager.listTasks('s')).find((t) => t.name === 'Made in the browser')!;
    expect(made.metadata).toMatchObject({ claim: { agent_id: 'page-agent', lease_ms: 90_000 } });
    await page.waitForSelector('#details [data-role="history"] li[data-history-type="claim_taken"]');
    expect(await page.textContent('#details [data-role="history"]')).toContain('page-agent claim taken, token');
    expect(await page.textContent('#details [data-role="history"]')).toContain("dashboard created 'Made in the browser'");
  });
});

describe('a large session', () => {
  it('renders 10,000 tasks, keeping only the visible rows in the DOM', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir, { durability: 'none' });
    let lastId = '';
    await manager.batch('big', (tx) => {
      for (let r = 0; r < 100; r++) {
        const root = tx.createTask(`Epic ${r}`, '');
        let previous: string | null = null;
        for (let c = 0; c < 99; c++) {
          const child = tx.createAgentTask(`Epic ${r} step ${c}`, '', `agent-${c % 7}`, root.id);
          if (previous !== null && c % 10 === 0) tx.addTaskDependency(child.id, previous);
          previous = child.id;
          lastId = child.id;
        }
      }
    });
    expect((await manager.listTasks('big')).length).toBe(10_000);
    const d = await dashboard(manager);
    const { page } = await openPage(`${d.base}/#session=big`);
    const firstRender = await page.evaluate(() => performance.getEntriesByName('gestura-first-render')[0]?.startTime ?? -1);
    console.log(`dashboard first render at 10,000 tasks: ${Math.round(firstRender)} ms after navigation start`);
    expect(await page.textContent('[data-role="total"]')).toBe('10000 tasks');
    const inDom = (await rowStatuses(page)).size;
    expect(inDom).toBeGreaterThan(10);
    expect(inDom).toBeLessThan(200);
    await page.$eval('#tree', (tree) => (tree.scrollTop = tree.scrollHeight));
    await page.waitForSelector(`.row[data-task-id="${lastId}"]`);
    expect((await rowStatuses(page)).size).toBeLessThan(200);
  }, 60_000);
});
