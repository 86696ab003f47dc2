import { TaskList } from './src/model/task-list.js';
import { TaskTransaction } from './src/model/transaction.js';
import { steppingClock } from './src/model/clock.js';
import { newTask } from './src/model/records.js';
import type { Task } from './src/schema/task.js';

let seq = 0;
const env = { clock: steppingClock('2025-01-01T00:00:00Z'), newId: () => `id${++seq}` };
function tx(list: TaskList) { return new TaskTransaction(list, env); }
function chain(n: number): { list: TaskList; ids: string[] } {
  const list = new TaskList('s'); const ids: string[] = [];
  let parent: string | null = null;
  for (let i = 0; i < n; i++) { const t: Task = { ...newTask('s', `t${i}`, ''), id: `c${i}`, parent_id: parent }; list.addTask(t); ids.push(t.id); parent = t.id; }
  return { list, ids };
}
function wide(n: number): { list: TaskList; ids: string[] } {
  const list = new TaskList('s'); const ids: string[] = [];
  list.addTask({ ...newTask('s', 'root', ''), id: 'root' });
  for (let i = 0; i < n; i++) { const t: Task = { ...newTask('s', `t${i}`, ''), id: `w${i}`, parent_id: 'root' }; list.addTask(t); ids.push(t.id); }
  return { list, ids };
}
function time(label: string, fn: () => unknown): void {
  const t0 = performance.now(); fn(); const ms = performance.now() - t0;
  console.log(`${label.padEnd(48)} ${ms.toFixed(1).padStart(9)} ms`);
}
const sizes = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
for (const n of sizes) {
  console.log(`--- n = ${n}`);
  { const { list, ids } = chain(n); time('chain: complete leaf (reconcile n ancestors)', () => tx(list).updateTaskStatus(ids[n - 1]!, 'Completed')); }
  { const { list, ids } = chain(n); time('chain: cancelOpenDescendants(root)', () => tx(list).cancelOpenDescendants(ids[0]!)); }
  { const { list, ids } = chain(n); time('chain: cancelOpenDescendants(middle)', () => tx(list).cancelOpenDescendants(ids[n >> 1]!)); }
  { const { list, ids } = wide(n); time('wide: cancelOpenDescendants(root)', () => tx(list).cancelOpenDescendants('root')); void ids; }
  { const { list, ids } = wide(n); for (const id of ids.slice(0, -1)) list.updateTask(id, { status: 'Completed' }); time('wide: complete the last open child (root completes)', () => tx(list).updateTaskStatus(ids[n - 1]!, 'Completed')); }
  { const { list, ids } = chain(n); time('chain: readyTasks', () => tx(list).readyTasks()); time('chain: claimNextTask', () => tx(list).claimNextTask('a')); time('chain: finalize(root)', () => tx(list).finalizeTrackedTaskAfterAgentRun(ids[0]!)); time('chain: recordTaskResult(leaf, fail)', () => tx(list).recordTaskResult(ids[n - 1]!, false, '', 1, 1)); time('chain: getTaskTree', () => tx(list).getTaskTree()); time('chain: listDescendants(root)', () => tx(list).listDescendants(ids[0]!)); time('chain: deleteTask(middle)', () => tx(list).deleteTask(ids[n >> 1]!)); }
  { const { list } = wide(n); time('wide: readyTasks', () => tx(list).readyTasks()); time('wide: getTaskTree', () => tx(list).getTaskTree()); }
  { const { list, ids } = wide(n); const t = tx(list); time('dep chain: addTaskDependency x n', () => { for (let i = 1; i < Math.min(n, 100000); i++) list.updateTask(ids[i]!, { blocked_by: [ids[i - 1]!] }); }); time('dep chain: cycle check (1 add)', () => { try { t.addTaskDependency(ids[0]!, ids[n - 1]!); } catch { /* cycle */ } }); }
  { const list = new TaskList('s'); const specs = Array.from({ length: n }, (_, i) => ({ name: `spec ${i}`, description: 'd', priority: 'high', is_blocking: false, parent_name: null })); time('materialize n top-level specs', () => tx(list).materializeRequirementBreakdown(specs)); time('materialize same again (reuse all)', () => tx(list).materializeRequirementBreakdown(specs)); }
  { const list = new TaskList('s'); const specs = Array.from({ length: n }, (_, i) => ({ name: `spec ${i}`, description: 'd', priority: '', is_blocking: false, parent_name: i === n - 1 ? null : `spec ${i + 1}` })); time('materialize n specs, reverse-order chain', () => tx(list).materializeRequirementBreakdown(specs)); }
  { const { list, ids } = wide(n); const t = tx(list); time('rollback: n changes then failure (atomic)', () => { try { t.materializeRequirementBreakdown([...ids.slice(0, 0), ...Array.from({ length: n }, (_, i) => ({ name: `x${i}`, description: 'd', priority: '', is_blocking: false, parent_name: i === n - 1 ? 'nope' : null }))]); } catch { /* expected */ } }); }
}
