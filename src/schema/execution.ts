/** Execution evidence and state kept at `metadata.execution_state`. */
import type { z } from 'zod';
import { TaskExecutionEvidenceKindSchema, TaskExecutionKindSchema } from './enums.js';
import { built, lazySchema, zod } from './lazy.js';
import { optionalString } from './optional.js';
import { TimestampSchema } from './timestamp.js';

const flag = () => zod().boolean().default(false);

/** Schema of what a task must show before it counts as verified (every key defaulted). */
export const TaskVerificationProfileSchema = lazySchema(() =>
  zod().looseObject({
    execution_kind: built(TaskExecutionKindSchema).default('general'),
    requires_mutation: flag(),
    requires_build: flag(),
    requires_test: flag(),
    requires_external_evidence: flag(),
    requires_launch_evidence: flag(),
    parallel_safe: flag(),
  }),
);
/** What a task must show before it counts as verified. */
export type TaskVerificationProfile = z.output<typeof TaskVerificationProfileSchema>;

/** Schema of one piece of execution evidence (`success` defaults to true). */
export const TaskExecutionEvidenceSchema = lazySchema(() => {
  const z = zod();
  return z.looseObject({
    kind: built(TaskExecutionEvidenceKindSchema),
    summary: z.string(),
    tool_name: optionalString(),
    command: optionalString(),
    success: z.boolean().default(true),
    recorded_at: built(TimestampSchema),
  });
});
/** One piece of execution evidence. */
export type TaskExecutionEvidence = z.output<typeof TaskExecutionEvidenceSchema>;

/** Schema of a task's execution state (every key defaulted). */
export const TaskExecutionStateSchema = lazySchema(() => {
  const z = zod();
  const profile = built(TaskVerificationProfileSchema);
  return z.looseObject({
    verification_profile: profile.default(() => profile.parse({})),
    saw_tool_activity: flag(),
    saw_mutation: flag(),
    saw_diagnostic_progress: flag(),
    saw_contradiction: flag(),
    saw_blocker: flag(),
    build_succeeded: flag(),
    test_succeeded: flag(),
    last_runtime_note: optionalString(),
    evidence: z.array(built(TaskExecutionEvidenceSchema)).default(() => []),
  });
});
/** A task's execution state: its profile, sticky flags and the newest 32 pieces of evidence. */
export type TaskExecutionState = z.output<typeof TaskExecutionStateSchema>;
