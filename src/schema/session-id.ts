/** Session ids, which name files and so must be safe path components (README, guarantee 6). */
import { lazySchema, zod } from './lazy.js';

/** 1–128 characters of `A–Z a–z 0–9 . _ -`, not starting with `.`. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Names Windows reserves for devices, with or without an extension; refused on every platform. */
export const RESERVED_DEVICE_NAME = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$/i;

/** Schema of a session id. */
export const SessionIdSchema = lazySchema(() =>
  zod()
    .string({ error: 'session id must be a string' })
    .regex(SESSION_ID_PATTERN, "session id must be 1-128 characters of A-Z a-z 0-9 . _ - and not start with '.'")
    .refine((s) => !RESERVED_DEVICE_NAME.test(s), 'session id must not be a reserved device name'),
);
