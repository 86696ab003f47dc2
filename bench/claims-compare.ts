/**
 * 8 concurrent claimers on one session, alternating between this checkout's store and another
 * checkout's (argv[2], e.g. an export of main), on one server: claims/s per run, interleaved so a
 * machine whose load drifts hits both alike. `node --import tsx bench/claims-compare.ts <other> [runs] [tasks]`.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { concurrentClaims, startServer } from './postgres.js';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const other = path.resolve(process.argv[2] ?? here);
const runs = Number(process.argv[3] ?? 5);
const tasks = Number(process.argv[4] ?? 200);
const server = await startServer();
const results: Record<string, number[]> = { other: [], this: [] };
const steady: Record<string, number[]> = { other: [], this: [] };
try {
  for (let r = 0; r < runs; r++) {
    for (const [label, root] of [
      ['other', other],
      ['this', here],
    ] as const) {
      const run = await concurrentClaims(server.url, tasks, `cmp_${label}_${r}`, root);
      results[label]!.push(run.perSecond);
      steady[label]!.push(run.steadyPerSecond);
      process.stderr.write(`run ${r} ${label}: ${run.perSecond.toFixed(0)} claims/s, ${run.steadyPerSecond.toFixed(0)} between 10 % and 90 % (load ${os.loadavg()[0]!.toFixed(2)})\n`);
    }
  }
} finally {
  await server.stop();
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
process.stdout.write(`${JSON.stringify({ tasks, runs, other: results.other!.map(Math.round), this: results.this!.map(Math.round), medianOther: Math.round(median(results.other!)), medianThis: Math.round(median(results.this!)), steadyOther: steady.other!.map(Math.round), steadyThis: steady.this!.map(Math.round) })}\n`);
