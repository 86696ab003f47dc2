/** What a {@link PostgresTaskStore} is given: a connection and options. */
import type pg from 'pg';
import type { HistoryRetention } from '../../history.js';

/**
 * The server: a connection string (the store makes and owns a pool) or a pool the caller owns
 * (the store never ends it).
 */
export type PostgresConnection = { readonly connectionString: string } | { readonly pool: pg.Pool };

/** Options of a PostgresTaskStore. */
export interface PostgresTaskStoreOptions {
  /**
   * The schema holding the store's tables (default `gestura_tasks`): several independent stores can
   * share one database. A plain identifier: letters, digits, `_` and `$`, at most 63 bytes.
   */
  readonly schema?: string;
  /**
   * The bound of every wait on the server (connect, query, lock), in milliseconds (default
   * 10,000): a call that cannot complete within it fails with a TaskIoError naming the store.
   */
  readonly timeoutMs?: number;
  /** Keep a session history (README "History"), with this retention when an object. Default off. */
  readonly history?: boolean | HistoryRetention;
}
