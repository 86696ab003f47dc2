/**
 * `gestura-tasks/dashboard`: the live web dashboard, for embedding in an existing app. Kept out of
 * the main entry point so that importing the library loads no HTTP code.
 */
export { createDashboardServer, DEFAULT_DASHBOARD_POLL_MS, type DashboardOptions, type DashboardServer } from './server.js';
export { serveDashboard, type ServeOptions, type ServeHandle } from './serve.js';
export type * from './protocol.js';
