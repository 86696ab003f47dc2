/**
 * Importing the library is cheap: no schema is built until it is first used, and then it is built
 * once; the schemas work as ordinary zod schemas with the program's own zod.
 */
import { expect, it } from 'vitest';
import { runTsx } from './helpers/spawn-tsx.js';

it('import builds no schema; the first use builds only what it needs, and schemas compose with the caller\'s zod', { timeout: 60_000 }, async () => {
  const run = await runTsx('test/workers/import-probe.ts', []);
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout.trim())).toEqual({ afterImport: 0, parsed: true, afterUse: 1, composes: true });
});
