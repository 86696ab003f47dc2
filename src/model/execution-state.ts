/**
 * Execution-state helpers: profiles, evidence with de-duplication, and verification (README,
 * "Execution evidence and verification").
 */
import { asciiLowercase } from './text.js';
import type { TaskExecutionEvidence, TaskExecutionState, TaskVerificationProfile } from '../schema/execution.js';
import { TaskExecutionStateSchema, TaskVerificationProfileSchema } from '../schema/execution.js';

/** How many pieces of evidence (and memory events) are kept: the newest 32. */
export const EVIDENCE_WINDOW = 32;

/** A fresh execution state with every default. */
export function defaultExecutionState(): TaskExecutionState {
  return TaskExecutionStateSchema.parse({});
}

/** Replaces the verification profile of `state` (missing keys take their defaults). */
export function mergeProfile(state: TaskExecutionState, profile: Partial<TaskVerificationProfile>): void {
  state.verification_profile = TaskVerificationProfileSchema.parse({ ...profile });
}

function sameEntry(a: TaskExecutionEvidence, b: TaskExecutionEvidence): boolean {
  return (
    a.kind === b.kind &&
    a.summary === b.summary &&
    (a.tool_name ?? null) === (b.tool_name ?? null) &&
    (a.command ?? null) === (b.command ?? null) &&
    a.success === b.success
  );
}

/**
 * Records `evidence` in `state`. Returns false and changes nothing when an entry with the same kind,
 * summary, tool, command and success is already in the window. Otherwise sets the sticky flags,
 * appends, keeps the newest {@link EVIDENCE_WINDOW}, and returns true.
 */
export function recordEvidence(state: TaskExecutionState, evidence: TaskExecutionEvidence): boolean {
  if (state.evidence.some((e) => sameEntry(e, evidence))) return false;
  state.saw_tool_activity = true;
  switch (evidence.kind) {
    case 'diagnostic':
      state.saw_diagnostic_progress = true;
      break;
    case 'contradiction':
      state.saw_diagnostic_progress = true;
      state.saw_contradiction = true;
      break;
    case 'blocker':
      state.saw_diagnostic_progress = true;
      state.saw_blocker = true;
      break;
    case 'mutation':
      if (evidence.success) state.saw_mutation = true;
      break;
    case 'build':
      if (evidence.success) state.build_succeeded = true;
      break;
    case 'test':
      if (evidence.success) state.test_succeeded = true;
      break;
    default:
      break;
  }
  state.evidence.push(evidence);
  if (state.evidence.length > EVIDENCE_WINDOW) state.evidence.splice(0, state.evidence.length - EVIDENCE_WINDOW);
  return true;
}

const EXTERNAL_TOOLS = new Set(['web', 'web_search']);
const LAUNCH_TOOLS = new Set(['shell', 'browser', 'open-browser']);
const LAUNCH_COMMANDS = [
  'cargo tauri dev',
  'tauri dev',
  'npm run tauri dev',
  'pnpm tauri dev',
  'pnpm run tauri dev',
  'yarn tauri dev',
  'yarn run tauri dev',
  'bun tauri dev',
  'bun run tauri dev',
  'cargo run',
  'npm run dev',
  'pnpm dev',
  'pnpm run dev',
  'yarn dev',
  'yarn run dev',
  'bun dev',
  'bun run dev',
];

/** Evidence after the last successful mutation in the window (all of it when there is none). */
function evidenceAfterLastMutation(state: TaskExecutionState): TaskExecutionEvidence[] {
  let last = -1;
  state.evidence.forEach((e, i) => {
    if (e.kind === 'mutation' && e.success) last = i;
  });
  return state.evidence.slice(last + 1);
}

function isLaunch(e: TaskExecutionEvidence): boolean {
  if (e.kind !== 'tool_activity' || !e.success || !LAUNCH_TOOLS.has(e.tool_name ?? '')) return false;
  const command = asciiLowercase(e.command ?? '');
  return LAUNCH_COMMANDS.some((needle) => command.includes(needle));
}

function isExternal(e: TaskExecutionEvidence): boolean {
  return e.kind === 'tool_activity' && e.success && EXTERNAL_TOOLS.has(e.tool_name ?? '');
}

/**
 * True when the evidence in `state` meets its verification profile: with nothing required, any tool
 * activity; otherwise every required flag, and external or launch evidence recorded after the last
 * successful mutation when those are required.
 */
export function satisfiesProfile(state: TaskExecutionState): boolean {
  const p = state.verification_profile;
  const nothingRequired =
    !p.requires_mutation && !p.requires_build && !p.requires_test && !p.requires_external_evidence && !p.requires_launch_evidence;
  if (nothingRequired) return state.saw_tool_activity;
  if (p.requires_mutation && !state.saw_mutation) return false;
  if (p.requires_build && !state.build_succeeded) return false;
  if (p.requires_test && !state.test_succeeded) return false;
  const recent = p.requires_external_evidence || p.requires_launch_evidence ? evidenceAfterLastMutation(state) : [];
  if (p.requires_external_evidence && !recent.some(isExternal)) return false;
  if (p.requires_launch_evidence && !recent.some(isLaunch)) return false;
  return true;
}
