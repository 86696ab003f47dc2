/**
 * The PostgreSQL store sends values only as query parameters (README "Many machines"): the SQL
 * text of src/store/postgres is constant except for the names below, none of which can carry a
 * value from a caller. A new interpolation into SQL text fails this test until it is justified here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/spawn-tsx.js';

/** What may be interpolated into SQL text, and why it is safe. */
const ALLOWED: Record<string, string> = {
  q: 'the schema name, checked against a plain-identifier pattern (requireSchemaName) and quoted (quoteIdentifier)',
  CHANGE_CHANNEL: 'a constant channel name',
};

const SQL_WORD = /\b(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|BEGIN|COMMIT|ROLLBACK|SET|LISTEN|UNLISTEN|NOTIFY|GRANT|TRUNCATE)\b/;
const DIR = path.join(repoRoot, 'src', 'store', 'postgres');

function sources(): [string, string][] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => [f, fs.readFileSync(path.join(DIR, f), 'utf8')]);
}

describe('PostgreSQL store: SQL text', () => {
  it('interpolates nothing into SQL but the checked schema name and constants', () => {
    const found: string[] = [];
    let templates = 0;
    for (const [file, text] of sources()) {
      for (const [literal] of text.matchAll(/`(?:[^`\\]|\\.)*`/gs)) {
        if (!SQL_WORD.test(literal)) continue;
        templates++;
        for (const [, expression] of literal.matchAll(/\$\{([^}]*)\}/g)) {
          if (!(expression!.trim() in ALLOWED)) found.push(`${file}: \${${expression}}`);
        }
      }
    }
    expect(templates).toBeGreaterThan(3); // the check looked at the store's SQL
    expect(found).toEqual([]);
  });

  it('builds no SQL by concatenating strings', () => {
    const found: string[] = [];
    for (const [file, text] of sources()) {
      for (const [match] of text.matchAll(/(['"`])(?:(?!\1)[^\\\n]|\\.)*\1\s*\+|\+\s*(['"`])(?:(?!\2)[^\\\n]|\\.)*\2/g)) {
        if (SQL_WORD.test(match)) found.push(`${file}: ${match}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('the schema name reaches SQL only checked and quoted', () => {
    const store = fs.readFileSync(path.join(DIR, 'postgres-store.ts'), 'utf8');
    expect(store).toMatch(/this\.schema = requireSchemaName\(/);
    expect(store).toMatch(/this\.#quoted = quoteIdentifier\(this\.schema\)/);
    // Every builder of SQL text is given the quoted name (this.#quoted, or a copy of it named
    // `quoted`), and nothing else is quoted as an identifier.
    let builders = 0;
    for (const [file, text] of sources()) {
      for (const [, argument] of text.matchAll(/\b(?:statements|createTablesSql)\(([^)]*)\)/g)) {
        if (file === 'statements.ts' || file === 'schema.ts') continue; // the definitions
        builders++;
        expect(`${file}: ${argument}`).toMatch(/: (?:this\.#quoted|[A-Za-z]+\.quoted)$/);
      }
      for (const [, argument] of text.matchAll(/\bquoteIdentifier\(([^)]*)\)/g)) {
        if (file === 'schema.ts') continue;
        expect(`${file}: ${argument}`).toBe('postgres-store.ts: this.schema');
      }
    }
    expect(builders).toBeGreaterThanOrEqual(2);
  });
});
