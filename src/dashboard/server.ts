/**
 * The dashboard's HTTP server: the page, a JSON API of computed views, Server-Sent Events, and
 * (only when asked) three writes guarded by a random token.
 *
 * Routes (GET unless noted):
 *   /                                    the page (and /assets/… its files)
 *   /api/info                            { writable, version, location }
 *   /api/sessions                        every session's summary, most recently changed first
 *   /api/sessions/:sid                   the session's tree, counts and ready queue
 *   /api/sessions/:sid/tasks/:tid        one task's details
 *   /api/events?session=:sid             the live event stream
 *   POST /api/sessions/:sid/tasks/:tid/status, POST /api/sessions/:sid/tasks,
 *   POST /api/sessions/:sid/claim        writes (with allowWrites and the token only)
 *
 * Read-only by default: any other method gets 405. A session id that is not a valid id gets 400
 * before anything touches the disk. A connection that arrives on a loopback address must name a
 * loopback host (or an allowed one) in its Host header, so a web page elsewhere cannot reach the
 * server through DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { InvalidInputError, isTaskError } from '../errors.js';
import { requireBoolean, requireInteger, requireString } from '../model/validate.js';
import { TaskManager } from '../manager.js';
import { AssetTable, defaultAssetsDir } from './assets.js';
import { HttpError, hostName, isLoopback, sendError, sendJson, setSecurityHeaders } from './http.js';
import { DEFAULT_SESSIONS_INTERVAL_MS, LiveHub } from './live.js';
import { TOKEN_HEADER, type ServerInfo } from './protocol.js';
import { SessionReader } from './sessions.js';
import { SharedReadStore } from './shared-store.js';
import { handleWrite } from './writes.js';

/** Options of {@link createDashboardServer}. */
export interface DashboardOptions {
  /** Accept the page's writes (status, add, claim), each with the token. Default false. */
  readonly allowWrites?: boolean;
  /** The write token; default: 32 random bytes (base64url). Ignored when writes are off. */
  readonly token?: string;
  /** How often watched sessions are checked for changes, in ms. Default 100. */
  readonly pollIntervalMs?: number;
  /**
   * How often the session list is checked while a page is open, in ms, on a store without a change
   * feed (default 500); on one with a feed (PostgreSQL) the feed drives it and no timer runs.
   */
  readonly sessionsIntervalMs?: number;
  /** Host names accepted besides loopback ones on a loopback connection (behind a proxy). */
  readonly allowedHosts?: readonly string[];
  /** Where the built page is. Default: the package's own copy. */
  readonly assetsDir?: string;
  /** The store as the page names it. Default: the manager's base directory (right for the file store). */
  readonly location?: string;
}

/** A dashboard server: a Node HTTP server, not yet listening, and its write token. */
export type DashboardServer = http.Server & {
  /** The token writes must carry (header `X-Gestura-Token`), or null when writes are off. */
  readonly token: string | null;
};

/** Default poll interval of the session watchers. */
export const DEFAULT_DASHBOARD_POLL_MS = 100;

/** The package version (package.json is two levels up from both src/dashboard and dist/dashboard). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The options with their defaults, checked: InvalidInputError names what was wrong. */
function checkOptions(manager: unknown, options: unknown) {
  if (!(manager instanceof TaskManager)) throw new InvalidInputError('manager must be a TaskManager');
  if (options === null || typeof options !== 'object') throw new InvalidInputError('options must be an object');
  const o = options as Record<string, unknown>;
  const writable = o.allowWrites === undefined ? false : requireBoolean(o.allowWrites, 'allowWrites');
  let token: string | null = null;
  if (writable) {
    token = o.token === undefined ? randomBytes(32).toString('base64url') : requireString(o.token, 'token');
    if (token.length < 16 || !/^[\x21-\x7e]+$/.test(token)) {
      throw new InvalidInputError('token must be at least 16 printable ASCII characters without spaces');
    }
  }
  const pollIntervalMs = o.pollIntervalMs === undefined ? DEFAULT_DASHBOARD_POLL_MS : requireInteger(o.pollIntervalMs, 'pollIntervalMs', 10, 60_000);
  const sessionsIntervalMs =
    o.sessionsIntervalMs === undefined ? DEFAULT_SESSIONS_INTERVAL_MS : requireInteger(o.sessionsIntervalMs, 'sessionsIntervalMs', 10, 2 ** 31 - 1);
  const hosts = o.allowedHosts ?? [];
  if (!Array.isArray(hosts)) throw new InvalidInputError('allowedHosts must be an array of host names');
  const allowedHosts = hosts.map((h, i) => requireString(h, `allowedHosts[${i}]`));
  const assetsDir = o.assetsDir === undefined ? null : requireString(o.assetsDir, 'assetsDir');
  return { writable, token, pollIntervalMs, sessionsIntervalMs, allowedHosts, assetsDir };
}

function segments(pathname: string): string[] {
  try {
    return pathname.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the URL');
  }
}

function sameToken(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A dashboard for `manager`'s sessions, as an `http.Server` the caller starts with `listen`.
 * `close()` also ends the open event streams and stops the watchers.
 */
export function createDashboardServer(manager: TaskManager, options: DashboardOptions = {}): DashboardServer {
  const checked = checkOptions(manager, options);
  const { writable, token, pollIntervalMs, sessionsIntervalMs } = checked;
  const allowedHosts = new Set(checked.allowedHosts.map((h) => h.toLowerCase()));
  const version = packageVersion();
  const assets = new AssetTable(checked.assetsDir ?? defaultAssetsDir());
  // Reads go through one shared store view (a change is parsed once for every reader); writes use
  // the caller's manager.
  const readingManager = new TaskManager(manager.baseDir, { store: new SharedReadStore(manager.store) });
  const reader = new SessionReader(readingManager);
  const hub = new LiveHub(readingManager, reader, { pollIntervalMs, sessionsIntervalMs, writable });

  const sessionId = (raw: string | undefined): string => {
    if (raw === undefined) throw new HttpError(404, 'not found');
    try {
      reader.validate(raw);
    } catch (error) {
      throw new HttpError(400, isTaskError(error) ? error.message : 'invalid session id');
    }
    return raw;
  };

  const handleGet = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (assets.has(url.pathname)) {
      const asset = assets.get(url.pathname);
      res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length, 'Cache-Control': 'no-cache' });
      res.end(asset.body);
      return;
    }
    const parts = segments(url.pathname);
    if (parts[0] !== 'api') throw new HttpError(404, 'not found');
    if (parts.length === 2 && parts[1] === 'info') {
      const info: ServerInfo = { writable, version, location: options.location ?? manager.baseDir };
      return sendJson(res, 200, info);
    }
    if (parts.length === 2 && parts[1] === 'events') {
      const raw = url.searchParams.get('session');
      const sid = raw === null || raw === '' ? null : sessionId(raw);
      if (req.method === 'HEAD') return void res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' }).end();
      const last = req.headers['last-event-id'];
      return hub.open(res, sid, typeof last === 'string' ? last : undefined);
    }
    if (parts[1] !== 'sessions') throw new HttpError(404, 'not found');
    if (parts.length === 2) return sendJson(res, 200, await reader.summaries());
    const sid = sessionId(parts[2]);
    if (parts.length === 3) return sendJson(res, 200, await reader.viewJson(sid));
    if (parts.length === 5 && parts[3] === 'tasks') {
      const details = await reader.details(sid, parts[4] as string);
      if (details === null) throw new HttpError(404, `no task '${parts[4]}' in session '${sid}'`);
      return sendJson(res, 200, details);
    }
    throw new HttpError(404, 'not found');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setSecurityHeaders(res);
    const local = req.socket.localAddress ?? '';
    const host = hostName(req.headers.host ?? '').toLowerCase();
    if (isLoopback(local) && !isLoopback(host) && !allowedHosts.has(host)) {
      throw new HttpError(403, `unexpected Host '${host}' on a loopback connection`);
    }
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') return handleGet(req, res, url);
    if (!writable) throw new HttpError(405, 'this dashboard is read-only (start it with --allow-writes)', { Allow: 'GET, HEAD' });
    if (!sameToken(req.headers[TOKEN_HEADER], token as string)) {
      throw new HttpError(403, `writes need the token printed at start, in the ${TOKEN_HEADER} header`);
    }
    const parts = segments(url.pathname);
    if (parts[0] !== 'api' || parts[1] !== 'sessions' || parts.length < 4) throw new HttpError(404, 'not found');
    if (method !== 'POST') throw new HttpError(405, 'writes use POST', { Allow: 'GET, HEAD, POST' });
    return handleWrite(manager, req, res, sessionId(parts[2]), parts.slice(3));
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendError(res, error.status, error.message, error.headers);
      if (isTaskError(error)) {
        const status = error.kind === 'NotFound' ? 404 : error.kind === 'InvalidInput' ? 400 : 500;
        return sendError(res, status, error.message);
      }
      sendError(res, 500, error instanceof Error ? error.message : String(error));
    });
  });

  // Read every session once as soon as the server listens, so the first page finds them parsed.
  server.on('listening', () => void reader.summaries().catch(() => undefined));

  const close = server.close.bind(server);
  server.close = ((callback?: (error?: Error) => void) => {
    close(callback);
    void hub.close().then(() => server.closeIdleConnections());
    return server;
  }) as typeof server.close;
  return Object.assign(server, { token }) as DashboardServer;
}
