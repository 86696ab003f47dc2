/**
 * Where a file store keeps things: `<baseDir>/.gestura/tasks/<session>.json`. Session ids are
 * checked (README guarantee 6) before any path is built, and every path is checked to stay inside the tasks
 * directory.
 */
import path from 'node:path';
import { InvalidInputError } from '../errors.js';
import { requireSessionId } from '../model/validate.js';

/** The tasks directory under `baseDir`. */
export function tasksDirectory(baseDir: string): string {
  return path.resolve(baseDir, '.gestura', 'tasks');
}

/** The session file for `sessionId` under `baseDir` (InvalidInput for an unsafe id). */
export function sessionFilePath(baseDir: string, sessionId: string): string {
  const id = requireSessionId(sessionId);
  const dir = tasksDirectory(baseDir);
  const file = path.join(dir, `${id}.json`);
  if (path.dirname(file) !== dir) throw new InvalidInputError(`session id ${JSON.stringify(id)} does not name a file in ${dir}`);
  return file;
}

/** The session id a file name in the tasks directory stands for, or null for other files. */
export function sessionIdOfFileName(name: string): string | null {
  if (!name.endsWith('.json')) return null;
  const id = name.slice(0, -'.json'.length);
  try {
    return requireSessionId(id);
  } catch {
    return null;
  }
}
