/** Planner output: requirement breakdown task specs. */
import type { z } from 'zod';
import { lazySchema, zod } from './lazy.js';

/** Schema of one task spec from a planner (`parent_name` defaults to none). */
export const RequirementBreakdownTaskSpecSchema = lazySchema(() => {
  const z = zod();
  return z.looseObject({
    name: z.string(),
    description: z.string(),
    priority: z.string(),
    is_blocking: z.boolean(),
    parent_name: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
  });
});
/** One task spec from a planner. */
export type RequirementBreakdownTaskSpec = z.output<typeof RequirementBreakdownTaskSpecSchema>;
/** A task spec as callers may write it (`parent_name` optional). */
export type RequirementBreakdownTaskSpecInput = z.input<typeof RequirementBreakdownTaskSpecSchema>;
