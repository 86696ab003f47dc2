/** Shared building blocks for keys that are "omitted when none". */
import { zod } from './lazy.js';

/** A string key that may be missing or `null` on read; both read as `undefined` (none). For schema builders. */
export function optionalString() {
  return zod()
    .string()
    .nullish()
    .transform((v) => v ?? undefined)
    .optional();
}
