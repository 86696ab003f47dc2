import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testDatabaseUrl, uniqueSchema } from './helpers/postgres.js';

describe('the test PostgreSQL server', () => {
  it('is reachable at the URL the global setup provides, and is PostgreSQL', async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ v: string; n: number }>('SELECT current_setting($1) AS v, $2::int + 1 AS n', ['server_version_num', 41]);
      expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(140000);
      expect(rows[0]?.n).toBe(42);
    } finally {
      await client.end();
    }
  });

  it('hands out a different schema name each time', () => {
    const a = uniqueSchema();
    const b = uniqueSchema();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9_]+$/);
  });
});
