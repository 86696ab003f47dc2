/**
 * Timestamp ordering for the model. The implementation lives in `schema/timestamp.ts`, the one
 * module that parses, orders and prints timestamps; this file only forwards to it until every
 * caller imports it from there.
 */
export { compareTimestamps, timestampKey } from '../schema/timestamp.js';
