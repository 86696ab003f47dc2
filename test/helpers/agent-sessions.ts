/** Random but reproducible task lists for the agent-view tests (snapshot and prompt rendering). */
import { TaskList, newTask, type Task, type TaskStatus } from '../../src/index.js';
import { rng } from '../campaign/harness.js';

/** A small deterministic PRNG (the campaign's mulberry32). */
export const prng = rng;

const WORDS = 'parse write test build deploy refactor the api cli docs schema server client cache index migrate fix bug add feature review merge release plan config auth login token queue worker'.split(' ');
const ODD = ['Ünïcode naïve café', '日本語のタスク', '🎉 launch 🚀', 'x'.repeat(300), 'line\nbreak\ttab', 'fJUIsLz_1P2mY2fLzTkyI', "quote ' and \" marks", '   '];
const STATUSES: TaskStatus[] = ['NotStarted', 'Blocked', 'InProgress', 'Completed', 'Cancelled'];

/**
 * A list of `n` tasks: a random forest (parents chosen among earlier tasks), random statuses,
 * dependencies, background jobs and execution states, odd names now and then, a current task.
 * O(n).
 */
export function randomSession(n: number, seed: number, sessionId = 'random'): TaskList {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const list = new TaskList(sessionId);
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => pick(WORDS));
    const name = rand() < 0.03 ? pick(ODD) : words.join(' ');
    const parent = i > 0 && rand() < 0.8 ? (tasks[Math.floor(rand() * i)] as Task) : null;
    const task = newTask(sessionId, name.trim() === '' ? `task ${i}` : name, rand() < 0.3 ? words.concat(words).join(' ') : '', parent?.id ?? null);
    task.status = pick(STATUSES);
    if (i > 2 && rand() < 0.1) task.blocked_by = [(tasks[Math.floor(rand() * i)] as Task).id];
    if (rand() < 0.03) task.blocked_by = [...task.blocked_by, `missing-${i}`];
    if (rand() < 0.05) task.background_job = { status: pick(['Queued', 'Running', 'Blocked', 'AwaitingApproval', 'Succeeded'] as const) };
    if (rand() < 0.2) {
      task.metadata = {
        execution_state: {
          verification_profile: {
            requires_mutation: rand() < 0.5,
            requires_test: rand() < 0.5,
            requires_build: rand() < 0.3,
            requires_launch_evidence: rand() < 0.1,
            requires_external_evidence: rand() < 0.1,
            parallel_safe: rand() < 0.5,
          },
          saw_tool_activity: rand() < 0.5,
          saw_mutation: rand() < 0.5,
          test_succeeded: rand() < 0.5,
        },
      };
    }
    if (rand() < 0.005) task.metadata = { execution_state: { verification_profile: 'broken' } };
    list.addTask(task);
    tasks.push(task);
  }
  const open = tasks.filter((t) => t.status !== 'Completed' && t.status !== 'Cancelled');
  if (open.length > 0 && rand() < 0.8) list.setCurrentTaskId(pick(open).id);
  return list;
}
