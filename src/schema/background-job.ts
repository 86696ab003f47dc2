/** The background job a task may carry. */
import type { z } from 'zod';
import { TaskBackgroundStatusSchema } from './enums.js';
import { built, lazySchema, zod } from './lazy.js';
import { optionalString } from './optional.js';

/** Schema of a task's background job (`job_id`, `message` omitted when none). */
export const TaskBackgroundJobSchema = lazySchema(() =>
  zod().looseObject({
    status: built(TaskBackgroundStatusSchema),
    job_id: optionalString(),
    message: optionalString(),
  }),
);
/** A task's background job. */
export type TaskBackgroundJob = z.output<typeof TaskBackgroundJobSchema>;
