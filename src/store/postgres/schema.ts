/**
 * The store's tables (docs/architecture.md, "The PostgreSQL store"), created on first use in the
 * store's schema, idempotently and safely when many processes start at once: the DDL runs in one
 * transaction under an advisory lock derived from the schema name, and a recorded schema version
 * lets a later release migrate (a newer version than this code knows is refused).
 *
 *   meta      (key, value)                    'schema_version' → SCHEMA_VERSION
 *   sessions  one row per session             version (bigint, bumped by every commit), incarnation,
 *                                             current_task_id (a query aid), top (the list's other
 *                                             top-level keys as printed in the file), task_count,
 *                                             tombstone bookkeeping, history bookkeeping
 *   tasks     one row per task                (session_id, position) key; body = the task exactly
 *                                             as printed in the file (NULL: a tombstone), task_id,
 *                                             status, parent_id (query aids), changed_version
 *   history   one row per history entry       (session_id, entry_no) key; seq, at_ns (its time in
 *                                             ns since the epoch), entry (the JSON line)
 */
import { InvalidInputError } from '../../errors.js';

/** The version of the table layout this code writes and reads. */
export const SCHEMA_VERSION = 1;

/** The schema used when the options name none. */
export const DEFAULT_SCHEMA = 'gestura_tasks';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const RESERVED_SCHEMA = /^(?:pg_|information_schema$)/i;

/** Checks a schema name (a plain SQL identifier of at most 63 bytes); InvalidInput otherwise. */
export function requireSchemaName(value: unknown): string {
  if (value === undefined) return DEFAULT_SCHEMA;
  if (typeof value !== 'string' || !IDENTIFIER.test(value) || Buffer.byteLength(value) > 63) {
    throw new InvalidInputError(
      `schema must be a plain SQL identifier (letters, digits, '_' and '$', not starting with a digit, at most 63 bytes), got ${JSON.stringify(value)}`,
    );
  }
  // PostgreSQL's own schemas: a superuser could otherwise create the tables inside them.
  if (RESERVED_SCHEMA.test(value)) throw new InvalidInputError(`schema must not be one of PostgreSQL's own (pg_…, information_schema), got ${JSON.stringify(value)}`);
  return value;
}

/** `name` quoted as an SQL identifier (it is also checked by {@link requireSchemaName}). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A 64-bit advisory lock key for `schema` (FNV-1a), as a decimal string: the same in every
 * process, so concurrent first uses of one schema take turns.
 */
export function schemaLockKey(schema: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(`gestura-tasks schema ${schema}`, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, hash).toString();
}

/** The DDL creating every table of `schema` (quoted) if missing. Idempotent. */
export function createTablesSql(q: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${q};
CREATE TABLE IF NOT EXISTS ${q}.meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE IF NOT EXISTS ${q}.sessions (
  session_id text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 0,
  incarnation text NOT NULL,
  current_task_id text,
  top text NOT NULL DEFAULT '{}',
  task_count integer NOT NULL DEFAULT 0,
  dead_rows integer NOT NULL DEFAULT 0,
  purged_version bigint NOT NULL DEFAULT 0,
  history_seq bigint,
  history_entries bigint NOT NULL DEFAULT 0,
  history_next bigint NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS ${q}.tasks (
  session_id text NOT NULL,
  position bigint NOT NULL,
  task_id text,
  status text,
  parent_id text,
  body text,
  changed_version bigint NOT NULL,
  PRIMARY KEY (session_id, position)
);
CREATE INDEX IF NOT EXISTS tasks_changed ON ${q}.tasks (session_id, changed_version);
CREATE INDEX IF NOT EXISTS tasks_status ON ${q}.tasks (session_id, status) WHERE body IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_parent ON ${q}.tasks (session_id, parent_id) WHERE body IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${q}.history (
  session_id text NOT NULL,
  entry_no bigint NOT NULL,
  seq bigint NOT NULL,
  at_ns bigint,
  entry text NOT NULL,
  PRIMARY KEY (session_id, entry_no)
);
CREATE INDEX IF NOT EXISTS history_seq ON ${q}.history (session_id, seq);
`;
}
