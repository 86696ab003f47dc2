/**
 * `gestura-tasks/postgres`: the PostgreSQL {@link PostgresTaskStore} (README "Many machines",
 * docs/architecture.md). A subpath of its own, so the core entry never loads `pg`.
 */
export { PostgresTaskStore } from './postgres-store.js';
export type { PostgresConnection, PostgresTaskStoreOptions } from './options.js';
