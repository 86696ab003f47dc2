/** Watching sessions for changes written by other processes. */
export { watchSession, DEFAULT_WATCH_INTERVAL_MS, type SessionWatcher, type WatchSessionOptions } from './watch-session.js';
