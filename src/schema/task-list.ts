/** The persisted task list: one per session file. */
import type { z } from 'zod';
import { built, lazySchema, zod } from './lazy.js';
import { TaskSchema } from './task.js';

/** Schema of the JSON form of a task list (`current_task_id` omitted when none). */
export const TaskListSchema = lazySchema(() => {
  const z = zod();
  return z.looseObject({
    session_id: z.string(),
    tasks: z.array(built(TaskSchema)),
    current_task_id: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
  });
});
/** The JSON form of a task list. The `TaskList` class wraps it with indexes. */
export type TaskListData = z.output<typeof TaskListSchema>;
