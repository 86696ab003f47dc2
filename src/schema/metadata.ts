/** Free-form task metadata: any JSON value. */
import type { JsonValue } from '../json/value.js';
import { lazySchema, zod } from './lazy.js';

/**
 * Schema of metadata read from a file: any JSON value, passed through by reference (the parser
 * only produces JSON). Caller-supplied metadata is checked more strictly by `findJsonProblem`.
 */
export const MetadataSchema = lazySchema(() => zod().custom<JsonValue>((value) => value !== undefined));
