/**
 * Child process for the multi-process test: creates `count` tasks named `<prefix>-<i>` in one
 * session and makes the shared task wait for each of them (a read-modify-write of one record that
 * every process touches). With mode `global` it uses getGlobalTaskManager (GESTURA_HOME_DIR).
 * Usage: node --import tsx create-worker.ts <baseDir> <session> <prefix> <count> <sharedId> <mode>
 */
import { getGlobalTaskManager, TaskManager } from '../../src/index.js';

const [baseDir, session, prefix, countText, sharedId, mode] = process.argv.slice(2);
if (!baseDir || !session || !prefix || !countText || !sharedId || !mode) {
  console.error('usage: create-worker <baseDir> <session> <prefix> <count> <sharedId> <local|global>');
  process.exit(2);
}
const manager = mode === 'global' ? getGlobalTaskManager() : new TaskManager(baseDir, { durability: 'none' });
for (let i = 0; i < Number(countText); i++) {
  // One commit per task: create it and make the shared task wait for it.
  await manager.batch(session, (tx) => {
    const task = tx.createTask(`${prefix}-${i}`, `written by pid ${process.pid}`);
    tx.addTaskDependency(sharedId, task.id);
  });
}
process.stdout.write(`done ${prefix}\n`);
