/**
 * Helpers of the dashboard tests: the built page, a dashboard server on a free port, and headless
 * Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
 */
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import type { TaskManager } from '../../src/index.js';
import { createDashboardServer, type DashboardOptions, type DashboardServer } from '../../src/dashboard/index.js';
import { buildDashboardAssets, DASHBOARD_ASSETS_DIR } from '../../scripts/build-dashboard.js';

/** Where the browser is (the `chromium` package; .ci/run installs it). */
export const CHROMIUM_PATH = process.env.GESTURA_CHROMIUM ?? '/usr/bin/chromium';

let built: Promise<void> | null = null;

/** Builds the page once per test file (the server serves dist/dashboard/public). */
export function ensureAssets(): Promise<void> {
  built ??= buildDashboardAssets(DASHBOARD_ASSETS_DIR);
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
  await ensureAssets();
  const server = createDashboardServer(manager, options);
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
