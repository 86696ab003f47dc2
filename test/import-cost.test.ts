/**
 * Importing the library is cheap: no zod and no schema is loaded or built until a schema is first
 * used; then the schemas are the ordinary zod schemas of the program's own zod.
 */
import { expect, it } from 'vitest';
import { runTsx } from './helpers/spawn-tsx.js';

it('import loads no zod; the first schema use does, and the schemas work with the caller\'s zod', { timeout: 60_000 }, async () => {
  const run = await runTsx('test/workers/import-probe.ts', []);
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout.trim())).toEqual({ afterImport: false, parsed: true, afterUse: true, sameZod: true });
});
