/**
 * What a task's execution state still lacks for its verification profile: the parts of
 * `satisfiesProfile` that fail, by name.
 *
 * `satisfiesProfile` is an AND of independent requirements (README "Execution evidence and
 * verification"). Rather than restating its rules, each requirement is checked by asking
 * `satisfiesProfile` about a copy of the state whose profile demands only that requirement, so the
 * rules live in one place and this list is empty exactly when `satisfiesProfile(state)` is true.
 */
import type { TaskExecutionState, TaskVerificationProfile } from '../schema/execution.js';
import { satisfiesProfile } from './execution-state.js';

/**
 * A requirement of a verification profile. `tool_activity` is what an empty profile asks for
 * (some tool activity at all).
 */
export type VerificationRequirement = 'mutation' | 'build' | 'test' | 'external_evidence' | 'launch_evidence' | 'tool_activity';

const PROFILE_FLAGS: readonly [VerificationRequirement, keyof TaskVerificationProfile][] = [
  ['mutation', 'requires_mutation'],
  ['build', 'requires_build'],
  ['test', 'requires_test'],
  ['external_evidence', 'requires_external_evidence'],
  ['launch_evidence', 'requires_launch_evidence'],
];

function demandingOnly(state: TaskExecutionState, flag: keyof TaskVerificationProfile): TaskExecutionState {
  const profile: TaskVerificationProfile = {
    ...state.verification_profile,
    requires_mutation: false,
    requires_build: false,
    requires_test: false,
    requires_external_evidence: false,
    requires_launch_evidence: false,
    [flag]: true,
  };
  return { ...state, verification_profile: profile };
}

/**
 * The requirements of `state`'s profile that its evidence does not meet yet, in profile order;
 * empty exactly when `satisfiesProfile(state)` is true. Pure; O(evidence window) per requirement.
 */
export function missingRequirements(state: TaskExecutionState): VerificationRequirement[] {
  const required = PROFILE_FLAGS.filter(([, flag]) => state.verification_profile[flag] === true);
  if (required.length === 0) return satisfiesProfile(state) ? [] : ['tool_activity'];
  return required.filter(([, flag]) => !satisfiesProfile(demandingOnly(state, flag))).map(([name]) => name);
}
