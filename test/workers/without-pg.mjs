/**
 * Preloaded with `node --import`: makes `pg` look uninstalled (as with `npm install --omit=optional`
 * or without the peer), so a test can see what the CLI does without it.
 */
import Module from 'node:module';

const load = Module._load;
Module._load = function loadWithoutPg(request, ...rest) {
  if (request === 'pg' || request.startsWith('pg/')) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return load.call(this, request, ...rest);
};
