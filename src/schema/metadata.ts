/** Free-form task metadata: any JSON value. */
import { z } from 'zod';
import type { JsonValue } from '../json/value.js';

/**
 * Schema of metadata read from a file: any JSON value, passed through by reference (the parser
 * only produces JSON). Caller-supplied metadata is checked more strictly by `findJsonProblem`.
 */
export const MetadataSchema = z.custom<JsonValue>((value) => value !== undefined);
