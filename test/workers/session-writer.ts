/**
 * Worker for the watch tests: applies a small script of changes to one session from another
 * process, then prints the ids it touched as JSON on stdout.
 *
 * argv: <baseDir> <session> <script> where script is one of:
 *   create <name>            creates a task
 *   complete <id>            sets a task Completed
 *   delete <id>              deletes a task
 */
import { TaskManager } from '../../src/index.js';

const [baseDir, session, action, arg] = process.argv.slice(2) as [string, string, string, string];
const manager = new TaskManager(baseDir);
let result: unknown;
if (action === 'create') result = await manager.createTask(session, arg, `written by pid ${process.pid}`);
else if (action === 'complete') result = await manager.updateTaskStatus(session, arg, 'Completed');
else if (action === 'delete') result = await manager.deleteTask(session, arg);
else throw new Error(`unknown action ${action}`);
process.stdout.write(JSON.stringify(result));
