/** Memory events and the memory lifecycle kept at `metadata.memory_lifecycle`. */
import type { z } from 'zod';
import { TaskMemoryPhaseSchema } from './enums.js';
import { built, lazySchema, zod } from './lazy.js';
import { optionalString } from './optional.js';
import { TimestampSchema } from './timestamp.js';

/** Schema of one memory event (`scope`, `memory_type`, `memory_file_path` omitted when none). */
export const TaskMemoryEventSchema = lazySchema(() =>
  zod().looseObject({
    phase: built(TaskMemoryPhaseSchema),
    summary: zod().string(),
    scope: optionalString(),
    memory_type: optionalString(),
    memory_file_path: optionalString(),
    recorded_at: built(TimestampSchema),
  }),
);
/** One memory event. */
export type TaskMemoryEvent = z.output<typeof TaskMemoryEventSchema>;

/** Schema of a task's memory lifecycle (`events` omitted when empty). */
export const TaskMemoryLifecycleSchema = lazySchema(() =>
  zod().looseObject({
    events: zod()
      .array(built(TaskMemoryEventSchema))
      .default(() => []),
    last_memory_file_path: optionalString(),
  }),
);
/** A task's memory lifecycle: the newest 32 events and the last memory file written. */
export type TaskMemoryLifecycle = z.output<typeof TaskMemoryLifecycleSchema>;
