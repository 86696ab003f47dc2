/** The process-wide TaskManager, rooted at `$GESTURA_HOME_DIR`, else the home directory, else `.` (docs/behaviour.md). */
import os from 'node:os';
import { TaskManager } from './manager.js';

let globalManager: TaskManager | null = null;

/** The directory the global manager is rooted at: `GESTURA_HOME_DIR`, else home, else `.`. */
export function globalBaseDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.GESTURA_HOME_DIR;
  if (configured !== undefined) return configured === '' ? '.' : configured;
  try {
    const home = os.homedir();
    if (home !== '') return home;
  } catch {
    // No home directory (e.g. no passwd entry): fall back to the working directory.
  }
  return '.';
}

/** The one shared TaskManager of this process, created on first call. */
export function getGlobalTaskManager(): TaskManager {
  globalManager ??= new TaskManager(globalBaseDir());
  return globalManager;
}
