/**
 * The SQL of the store, for one schema (quoted once, validated before). Every value goes in as a
 * parameter; only the schema identifier is part of the text. Statements with parameters are
 * prepared once per connection (connection.ts); a commit sends its statements in two batches of
 * one round trip each (postgres-store.ts).
 */

/** The statements of a store on schema `q` (already quoted). */
export interface Statements {
  /** The schema version and the server encoding (fails while the tables are missing). */
  readonly probe: string;
  /** $1 version: records the schema version unless one is recorded (see schema.ts). */
  readonly markVersion: string;
  /**
   * $1 session, $2 incarnation for a new row. Creates the session row if missing (version 0, "no
   * list") and takes it FOR UPDATE in the same statement (an upsert locks the row it finds, waits
   * for a holder and returns the latest committed values). Held until the transaction ends.
   */
  readonly lock: string;
  /**
   * $1 session, $2 the version the reader holds (-1: none), $3 its incarnation. One statement, so
   * one snapshot and one round trip: the session row first (its `top` only when changed), then the
   * task rows changed since $2 (tombstones included) or, when $2 is older than the last purge,
   * newer than the stored version (a restored backup) or of another incarnation, every live row;
   * in position order. No row at all: no stored list.
   */
  readonly read: string;
  /** $1 milliseconds: the idle limit of the current transaction (SET LOCAL, as a parameter). */
  readonly idleLimit: string;
  /**
   * For the rest of the transaction: plan statements once per connection (a generic plan), not
   * anew at every execution. Sent before the write statement, whose every part is keyed by the
   * session id and so has one right plan whatever the values.
   */
  readonly genericPlans: string;
  /** The whole commit in one statement: tombstones, upserts, purge, history, session row, notify. */
  readonly write: string;
  /**
   * $1 session: the session row's version and incarnation (position null), then the history
   * entries, oldest first; one snapshot, so the reader knows which list the entries go with.
   */
  readonly history: string;
  /**
   * $1 session, $2 entry numbers, $3 sequences, $4 times (ns), $5 entries, $6 the newest sequence
   * (null: none): replaces the session's whole history (an import), in the commit's transaction.
   */
  readonly importHistory: string;
  /** Sessions that have a stored list. */
  readonly sessions: string;
}

/** The channel every commit notifies (payload `[schema, session, version]` as JSON). */
export const CHANGE_CHANNEL = 'gestura_tasks_changes';

export function statements(q: string): Statements {
  return {
    probe: `SELECT current_setting('server_encoding') AS encoding, (SELECT value FROM ${q}.meta WHERE key = 'schema_version') AS version`,
    markVersion: `INSERT INTO ${q}.meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING`,
    lock: `INSERT INTO ${q}.sessions AS s (session_id, incarnation) VALUES ($1, $2)
ON CONFLICT (session_id) DO UPDATE SET session_id = EXCLUDED.session_id
RETURNING s.version::text AS version, s.incarnation, s.dead_rows, s.history_seq::text AS history_seq,
  s.history_entries::text AS history_entries, s.history_next::text AS history_next`,
    read: `SELECT NULL::bigint AS position, s.version::text AS version, s.incarnation, s.purged_version::text AS purged,
  CASE WHEN s.version = $2::bigint AND s.incarnation = $3 THEN NULL ELSE s.top END AS body
FROM ${q}.sessions s WHERE s.session_id = $1 AND s.version > 0
UNION ALL
SELECT t.position, NULL, NULL, NULL, t.body FROM ${q}.tasks t
WHERE t.session_id = $1 AND t.changed_version > $2::bigint
  AND EXISTS (SELECT 1 FROM ${q}.sessions s WHERE s.session_id = $1 AND s.incarnation = $3
    AND s.purged_version <= $2::bigint AND s.version > $2::bigint)
UNION ALL
SELECT t.position, NULL, NULL, NULL, t.body FROM ${q}.tasks t
WHERE t.session_id = $1 AND t.body IS NOT NULL
  AND EXISTS (SELECT 1 FROM ${q}.sessions s WHERE s.session_id = $1 AND s.version > 0
    AND NOT (s.incarnation = $3 AND s.purged_version <= $2::bigint AND s.version >= $2::bigint))
ORDER BY position NULLS FIRST`,
    idleLimit: `SELECT set_config('idle_in_transaction_session_timeout', $1, true)`,
    genericPlans: `SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`,
    write: `WITH
gone AS (
  UPDATE ${q}.tasks SET body = NULL, task_id = NULL, status = NULL, parent_id = NULL, changed_version = $2::bigint
  WHERE session_id = $1 AND position = ANY ($3::bigint[])
),
put AS (
  INSERT INTO ${q}.tasks (session_id, position, task_id, status, parent_id, body, changed_version)
  SELECT $1, u.position, u.task_id, u.status, u.parent_id, u.body, $2::bigint
  FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u (position, task_id, status, parent_id, body)
  ON CONFLICT (session_id, position) DO UPDATE SET task_id = EXCLUDED.task_id, status = EXCLUDED.status,
    parent_id = EXCLUDED.parent_id, body = EXCLUDED.body, changed_version = EXCLUDED.changed_version
),
purge AS (
  DELETE FROM ${q}.tasks WHERE $9::boolean AND session_id = $1 AND body IS NULL AND NOT (position = ANY ($4::bigint[]))
),
history_drop AS (
  DELETE FROM ${q}.history WHERE $15::bigint IS NOT NULL AND session_id = $1
    AND (seq >= $15::bigint OR entry_no <= $19::bigint OR (at_ns < $20::bigint AND seq < $15::bigint))
),
history_add AS (
  INSERT INTO ${q}.history (session_id, entry_no, seq, at_ns, entry)
  SELECT $1, u.entry_no, $15::bigint, u.at_ns, u.entry
  FROM unnest($16::bigint[], $17::bigint[], $18::text[]) AS u (entry_no, at_ns, entry)
),
session AS (
  UPDATE ${q}.sessions SET version = $2::bigint, current_task_id = $10, top = $11, task_count = $12::integer,
    dead_rows = CASE WHEN $9::boolean THEN 0 ELSE dead_rows + $13::integer END,
    purged_version = CASE WHEN $9::boolean THEN $2::bigint ELSE purged_version END,
    history_seq = COALESCE($15::bigint, history_seq), history_next = $21::bigint, history_entries = $22::bigint
  WHERE session_id = $1
)
SELECT pg_notify('${CHANGE_CHANNEL}', $14)`,
    history: `SELECT NULL::bigint AS entry_no, s.version::text AS version, s.incarnation, NULL::text AS entry FROM ${q}.sessions s WHERE s.session_id = $1
UNION ALL
SELECT h.entry_no, NULL, NULL, h.entry FROM ${q}.history h WHERE h.session_id = $1
ORDER BY entry_no NULLS FIRST`,
    importHistory: `WITH
dropped AS (DELETE FROM ${q}.history WHERE session_id = $1),
added AS (
  INSERT INTO ${q}.history (session_id, entry_no, seq, at_ns, entry)
  SELECT $1, u.entry_no, u.seq, u.at_ns, u.entry FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) AS u (entry_no, seq, at_ns, entry)
)
UPDATE ${q}.sessions SET history_seq = $6::bigint WHERE session_id = $1`,
    sessions: `SELECT session_id FROM ${q}.sessions WHERE version > 0`,
  };
}
