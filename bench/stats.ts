/** Timing helpers shared by the benchmark sections. */

/** Summary of a set of timings in milliseconds. */
export interface Stats {
  n: number;
  medianMs: number;
  p90Ms: number;
  p95Ms: number;
  meanMs: number;
  opsPerSec: number;
}

/** Median, p90, p95 and mean of `samples` (ms). Nearest-rank quantiles. */
export function stats(samples: readonly number[]): Stats {
  const xs = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;
  const total = xs.reduce((a, b) => a + b, 0);
  const mid = xs.length % 2 === 1 ? at(0.5) : ((xs[xs.length / 2 - 1] as number) + (xs[xs.length / 2] as number)) / 2;
  return { n: xs.length, medianMs: mid, p90Ms: at(0.9), p95Ms: at(0.95), meanMs: total / xs.length, opsPerSec: (1000 * xs.length) / total };
}

/** Milliseconds since `t0` (a `process.hrtime.bigint()` reading). */
export function since(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** A duration for a table: µs below 1 ms, two decimals below 100 ms, whole ms below 10 s, else s. */
export function fmt(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  if (ms < 10_000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A ratio for a table (`–` when either side is missing). */
export function ratio(a: number | undefined | null, b: number | undefined | null): string {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '–';
  return `${(a / b).toFixed(2)}×`;
}
