/**
 * Measures the dashboard in headless Chromium (not a test: numbers vary with the machine):
 *  - first render of a 10,000-task session (navigation start → the tree drawn), on a server that
 *    just started and on a warm one;
 *  - update latency: a status change written by a separate TaskManager (its own cache, the same
 *    file: what another process does) → the row shows the new status, at the default poll interval.
 * Run: npx tsx scripts/measure-dashboard.ts  (needs /usr/bin/chromium and a built page).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TaskManager } from '../src/index.js';
import { launchBrowser, startDashboard } from '../test/helpers/dashboard.js';

const RUNS = 7;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gestura-measure-'));
const manager = new TaskManager(dir, { durability: 'none' });
const ids: string[] = [];
await manager.batch('big', (tx) => {
  for (let r = 0; r < 100; r++) {
    const root = tx.createTask(`Epic ${r}`, '');
    for (let c = 0; c < 99; c++) ids.push(tx.createAgentTask(`Epic ${r} step ${c}`, '', `agent-${c % 7}`, root.id).id);
  }
});
let shared: Awaited<ReturnType<typeof startDashboard>> | undefined;
const browser = await launchBrowser();
try {
  const renders: number[] = [];
  let cold = 0;
  for (let i = 0; i < RUNS; i++) {
    // A new server for the first run only: its first render includes reading the 10,000 tasks.
    shared ??= await startDashboard(new TaskManager(dir, { durability: 'none' }));
    const d = shared;
    const context = await browser.newContext({ viewport: { width: 1440, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${d.base}/#session=big`);
    await page.waitForSelector('body[data-rendered="true"]');
    const at = await page.evaluate(() => performance.getEntriesByName('gestura-first-render')[0]?.startTime ?? -1);
    if (i === 0) cold = at;
    else renders.push(at);
    if (i === RUNS - 1) {
      const writer = new TaskManager(dir, { durability: 'none' });
      const latencies: number[] = [];
      for (const id of ids.slice(0, 5)) {
        await page.waitForSelector('#connection[data-state="live"]');
        await writer.updateTaskStatus('big', id, 'in_progress');
        const written = performance.now();
        await page.waitForSelector(`.row[data-task-id="${id}"][data-status="InProgress"]`, { timeout: 10_000 });
        latencies.push(performance.now() - written);
      }
      console.log(`update latency at 10,000 tasks (default poll): median ${Math.round(median(latencies))} ms, max ${Math.round(Math.max(...latencies))} ms`);
    }
    await context.close();
  }
  console.log(`first render at 10,000 tasks: ${Math.round(cold)} ms on a fresh server; warm median ${Math.round(median(renders))} ms (${renders.map(Math.round).join(', ')})`);
  await shared?.close();
} finally {
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
