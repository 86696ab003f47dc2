/**
 * Requirement breakdowns become tasks (SPEC A6): parents resolved by name in passes, existing
 * tasks reused instead of duplicated, so the same breakdown twice creates nothing.
 */
import { InvalidInputError } from '../errors.js';
import { TaskSource } from '../schema/enums.js';
import type { RequirementBreakdownTaskSpec } from '../schema/breakdown.js';
import type { Task } from '../schema/task.js';
import type { ModelEnv } from './env.js';
import { normalizeRequirementBreakdown, specTaskDescription } from './planner.js';
import { createTaskRecord } from './records.js';
import { isTerminal } from './status.js';
import type { TaskList } from './task-list.js';
import { timestampKey } from './timestamps.js';

/** A breakdown's tasks as stored in the list (live objects; callers copy before handing out). */
export interface MaterializedTasks {
  tasks: Task[];
  rootTaskIds: string[];
}

/** A task name for matching: whitespace runs collapsed to one space, trimmed, lower-cased. */
export function matchKey(name: string): string {
  return name.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The existing child of `parentId` named like `name`: an open one first, then the oldest. */
function findReusable(list: TaskList, parentId: string | null, name: string): Task | null {
  const key = matchKey(name);
  let best: Task | null = null;
  for (const candidate of list.childrenOf(parentId)) {
    if (matchKey(candidate.name) !== key) continue;
    if (best === null) {
      best = candidate;
      continue;
    }
    const openRank = Number(isTerminal(candidate)) - Number(isTerminal(best));
    if (openRank < 0 || (openRank === 0 && timestampKey(candidate.created_at) < timestampKey(best.created_at))) {
      best = candidate;
    }
  }
  return best;
}

/**
 * Adds the tasks of `specs` to `list` under `parentId` (null: at the top level). A spec may come
 * before its parent; specs whose parent never resolves (a loop of parent names) are an
 * InvalidInput error. O(specs² / pass) in the worst case of reverse order; linear when parents
 * come first.
 */
export function materializeBreakdown(
  list: TaskList,
  env: ModelEnv,
  parentId: string | null,
  rawSpecs: readonly RequirementBreakdownTaskSpec[],
): MaterializedTasks {
  const specs = normalizeRequirementBreakdown(rawSpecs);
  if (parentId !== null) {
    const parent = list.getTask(parentId);
    if (parent.session_id !== list.sessionId) {
      throw new InvalidInputError(`parent task '${parentId}' does not belong to session '${list.sessionId}'`);
    }
  }
  const resolved = new Map<string, string>();
  const tasks: Task[] = [];
  const rootTaskIds: string[] = [];
  let pending = specs;
  while (pending.length > 0) {
    const waiting: RequirementBreakdownTaskSpec[] = [];
    for (const spec of pending) {
      const underId = spec.parent_name === null ? parentId : resolved.get(spec.parent_name);
      if (underId === undefined) {
        waiting.push(spec);
        continue;
      }
      let task = findReusable(list, underId, spec.name);
      if (task === null) {
        task = createTaskRecord(
          {
            sessionId: list.sessionId,
            name: spec.name,
            description: specTaskDescription(spec),
            parentId: underId,
            source: TaskSource.Agent,
          },
          env,
        );
        list.addTask(task);
      }
      resolved.set(spec.name, task.id);
      tasks.push(task);
      if (spec.parent_name === null) rootTaskIds.push(task.id);
    }
    if (waiting.length === pending.length) {
      const refs = waiting.map((s) => `${s.name} -> ${s.parent_name ?? ''}`).join(', ');
      throw new InvalidInputError(`requirement breakdown contains unresolved parent references: ${refs}`);
    }
    pending = waiting;
  }
  return { tasks, rootTaskIds };
}
