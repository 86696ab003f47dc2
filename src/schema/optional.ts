/** Shared building blocks for keys that are "omitted when none". */
import { z } from 'zod';

/** A string key that may be missing or `null` on read; both read as `undefined` (none). */
export const optionalString = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined)
  .optional();
