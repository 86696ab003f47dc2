/**
 * Helpers of the dashboard tests: the built page, a dashboard server on a free port, and headless
 * Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { TaskManager } from '../../src/index.js';
import { createDashboardServer, type DashboardOptions, type DashboardServer } from '../../src/dashboard/index.js';
import { buildDashboardAssets } from '../../scripts/build-dashboard.js';

/** Where the browser is (the `chromium` package; .ci/run installs it). */
export const CHROMIUM_PATH = process.env.GESTURA_CHROMIUM ?? '/usr/bin/chromium';

let built: Promise<string> | null = null;

/**
 * Builds the page once per test process into a directory of its own (test files run in parallel:
 * none may serve a file another is rewriting) and returns that directory.
 */
export function ensureAssets(): Promise<string> {
  built ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-dashboard-assets-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    await buildDashboardAssets(dir);
    return dir;
  })();
  return built;
}

/** A listening dashboard server and its base URL (`http://127.0.0.1:<port>`). */
export interface RunningDashboard {
  readonly server: DashboardServer;
  readonly base: string;
  close(): Promise<void>;
}

/** Starts a dashboard for `manager` on 127.0.0.1 and a free port. */
export async function startDashboard(manager: TaskManager, options: DashboardOptions = {}): Promise<RunningDashboard> {
  const assetsDir = await ensureAssets();
  const server = createDashboardServer(manager, { assetsDir, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Launches headless Chromium with the flags a container needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}
