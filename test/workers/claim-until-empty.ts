/**
 * Worker for the ready-queue test: claims tasks of one session until nothing is ready, then
 * prints the claimed ids as a JSON array on stdout.
 *
 * argv: <baseDir> <session> <agentId>
 */
import { TaskManager } from '../../src/index.js';

const [baseDir, session, agent] = process.argv.slice(2) as [string, string, string];
const manager = new TaskManager(baseDir, { durability: 'none' });
const claimed: string[] = [];
for (;;) {
  const task = await manager.claimNextTask(session, agent);
  if (task === null) break;
  if (task.agent_id !== agent || task.status !== 'InProgress') throw new Error(`bad claim ${JSON.stringify(task)}`);
  claimed.push(task.id);
}
process.stdout.write(JSON.stringify(claimed));
