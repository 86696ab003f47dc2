import { TaskList } from './src/model/task-list.js';
import { TaskTransaction } from './src/model/transaction.js';
import { steppingClock } from './src/model/clock.js';
import { newTask } from './src/model/records.js';
import type { Task } from './src/schema/task.js';
let seq = 0;
const env = { clock: steppingClock('2025-01-01T00:00:00Z'), newId: () => `id${++seq}` };
const n = 100000;
const list = new TaskList('s'); const ids: string[] = [];
let parent: string | null = null;
for (let i = 0; i < n; i++) { const t: Task = { ...newTask('s', `t${i}`, ''), id: `c${i}`, parent_id: parent }; list.addTask(t); ids.push(t.id); parent = t.id; }
const l2 = list.clone();
const t1 = performance.now();
new TaskTransaction(l2, env).cancelOpenDescendants(ids[0]!);
console.log('sweep', performance.now() - t1);

const specs = Array.from({ length: n }, (_, i) => ({ name: `spec ${i}`, description: 'd', priority: 'high', is_blocking: false, parent_name: i === n - 1 ? null : `spec ${i + 1}` }));
const t2 = performance.now();
new TaskTransaction(new TaskList('s'), env).materializeRequirementBreakdown(specs);
console.log('materialize', performance.now() - t2);
