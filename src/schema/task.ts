/** The persisted task record (README, "The file format"). */
import type { z } from 'zod';
import { TaskBackgroundJobSchema } from './background-job.js';
import { TaskSourceSchema, TaskStatusSchema } from './enums.js';
import { built, lazySchema, zod } from './lazy.js';
import { MetadataSchema } from './metadata.js';
import { optionalString } from './optional.js';
import { TimestampSchema } from './timestamp.js';

/**
 * Schema of a task. Missing optional keys read as none, missing defaulted keys as their default
 * (`blocked_by` [], `sort_order` 0, `source` User), unknown keys are kept. `null` for `blocked_by`,
 * `sort_order` or `source` is refused, as Rust refuses it.
 */
export const TaskSchema = lazySchema(() => {
  const z = zod();
  const timestamp = built(TimestampSchema);
  return z.looseObject({
    id: z.string().min(1, 'task id must not be empty'),
    name: z.string(),
    description: z.string(),
    status: built(TaskStatusSchema),
    parent_id: z.string().nullable().default(null),
    blocked_by: z.array(z.string()).default(() => []),
    background_job: built(TaskBackgroundJobSchema)
      .nullish()
      .transform((v) => v ?? undefined)
      .optional(),
    sort_order: z.int32().default(0),
    phase: optionalString(),
    created_at: timestamp,
    updated_at: timestamp,
    session_id: z.string(),
    source: built(TaskSourceSchema).default('User'),
    orchestrator_task_id: z.string().nullable().default(null),
    agent_id: z.string().nullable().default(null),
    metadata: built(MetadataSchema).nullable().default(null),
  });
});
/** A task, as stored. Keys are the JSON keys; unknown keys from the file are kept. */
export type Task = z.output<typeof TaskSchema>;
