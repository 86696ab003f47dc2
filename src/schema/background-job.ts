/** The background job a task may carry. */
import { z } from 'zod';
import { TaskBackgroundStatusSchema } from './enums.js';
import { optionalString } from './optional.js';

/** Schema of a task's background job (`job_id`, `message` omitted when none). */
export const TaskBackgroundJobSchema = z.looseObject({
  status: TaskBackgroundStatusSchema,
  job_id: optionalString,
  message: optionalString,
});
/** A task's background job. */
export type TaskBackgroundJob = z.output<typeof TaskBackgroundJobSchema>;
