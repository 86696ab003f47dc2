/**
 * An optional, internal timing hook for the commit path, used by the commit breakdown benchmark
 * (bench/commit-breakdown.ts). Not part of the public API. With no hook set (the normal case) each
 * instrumented step costs one null check.
 */

/** The steps of a commit, in order. */
export type CommitPhase = 'lock' | 'read' | 'apply' | 'encode' | 'write' | 'fsync' | 'verify' | 'rename' | 'unlock';

/** Receives how long each step of a commit took (milliseconds). */
export type CommitTimingHook = (phase: CommitPhase, ms: number) => void;

let hook: CommitTimingHook | null = null;

/** Sets (or clears, with null) the process-wide commit timing hook. */
export function setCommitTimingHook(next: CommitTimingHook | null): void {
  hook = next;
}

/** A start time when a hook is set, else 0 (no clock read). */
export function phaseStart(): number {
  return hook === null ? 0 : performance.now();
}

/** Reports `phase` as having run since `start` (from {@link phaseStart}). */
export function phaseEnd(phase: CommitPhase, start: number): void {
  if (hook !== null) hook(phase, performance.now() - start);
}
