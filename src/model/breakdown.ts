/**
 * Requirement breakdowns become tasks: parents resolved by name in passes (a spec may come before
 * its parent), and existing tasks reused instead of duplicated, so the same breakdown twice creates
 * nothing. The README's planner section and docs/ describe the rules for users.
 */
import { InvalidInputError } from '../errors.js';
import { TaskSource } from '../schema/enums.js';
import type { RequirementBreakdownTaskSpec } from '../schema/breakdown.js';
import type { Task } from '../schema/task.js';
import type { ModelEnv } from './env.js';
import { normalizeRequirementBreakdown, specTaskDescription } from './planner.js';
import { createTaskRecord } from './records.js';
import { isOpen } from './readiness.js';
import type { TaskList } from './task-list.js';
import { asciiLowercase, collapseWhitespace } from './text.js';
import { timestampKey } from '../schema/timestamp.js';

/** A breakdown's tasks as stored in the list (live objects; callers copy before handing out). */
export interface MaterializedTasks {
  tasks: Task[];
  rootTaskIds: string[];
}

/**
 * A task name for matching: words split on Rust whitespace and joined by one space, then
 * ASCII-lower-cased (`Ünïcode` and `ünïcode` stay different names). O(length).
 */
function matchKey(name: string): string {
  return asciiLowercase(collapseWhitespace(name));
}

/** True when `candidate` is a better task to reuse than `best`: open before finished, then older. */
function betterReuse(candidate: Task, best: Task): boolean {
  const openRank = Number(isOpen(best)) - Number(isOpen(candidate));
  return openRank < 0 || (openRank === 0 && timestampKey(candidate.created_at) < timestampKey(best.created_at));
}

/**
 * For each parent (null: top level) asked about, the reusable child per match key, built on first
 * use from the parent's children in list order and kept up to date as tasks are added. Gives the
 * same choice as scanning the children each time (first best in list order), in O(1) per lookup.
 */
class ReuseIndex {
  readonly #list: TaskList;
  readonly #byParent = new Map<string | null, Map<string, Task>>();

  constructor(list: TaskList) {
    this.#list = list;
  }

  #index(parentId: string | null): Map<string, Task> {
    let index = this.#byParent.get(parentId);
    if (index === undefined) {
      index = new Map();
      for (const child of this.#list.childrenOf(parentId)) this.#offer(index, child);
      this.#byParent.set(parentId, index);
    }
    return index;
  }

  #offer(index: Map<string, Task>, task: Task): void {
    const key = matchKey(task.name);
    const best = index.get(key);
    if (best === undefined || betterReuse(task, best)) index.set(key, task);
  }

  /** The existing child of `parentId` to reuse for `name`, or null. */
  find(parentId: string | null, name: string): Task | null {
    return this.#index(parentId).get(matchKey(name)) ?? null;
  }

  /** Records a task just appended under `parentId`. */
  added(parentId: string | null, task: Task): void {
    const index = this.#byParent.get(parentId);
    if (index !== undefined) this.#offer(index, task);
  }
}

/**
 * The order in which resolving parents in passes handles the specs: pass 1 goes through the specs
 * in order and takes each one whose parent is already resolved (top-level specs, and children
 * after their parent); each later pass takes what became resolvable. A spec's pass is its parent's
 * pass, plus one when the parent comes after it. Computed directly in O(specs) rather than by
 * repeated passes (quadratic when parents come in reverse order). Specs whose parent chain loops
 * never resolve: an InvalidInput error lists them in input order.
 */
function processingOrder(specs: readonly RequirementBreakdownTaskSpec[]): RequirementBreakdownTaskSpec[] {
  const indexByName = new Map<string, number>();
  specs.forEach((spec, i) => indexByName.set(spec.name, i));
  const UNKNOWN = 0;
  const VISITING = -1;
  const NEVER = -2;
  const pass = new Array<number>(specs.length).fill(UNKNOWN);
  for (let start = 0; start < specs.length; start++) {
    if (pass[start] !== UNKNOWN) continue;
    // Walk up to a spec whose pass is known (or a top-level one), then fill the path back down.
    const path: number[] = [];
    let i = start;
    let base = 0;
    for (;;) {
      const state = pass[i] as number;
      if (state === VISITING || state === NEVER) {
        base = NEVER;
        break;
      }
      if (state > 0) {
        base = state;
        break;
      }
      pass[i] = VISITING;
      path.push(i);
      const parentName = (specs[i] as RequirementBreakdownTaskSpec).parent_name;
      const parent = parentName === null ? undefined : indexByName.get(parentName);
      if (parent === undefined) {
        base = 0;
        break;
      }
      i = parent;
    }
    // path[last] is the topmost: a top-level spec (pass 1), or a child of the spec with pass `base`.
    for (let j = path.length - 1; j >= 0; j--) {
      const at = path[j] as number;
      if (base === NEVER) {
        pass[at] = NEVER;
        continue;
      }
      const parentName = (specs[at] as RequirementBreakdownTaskSpec).parent_name;
      const parent = parentName === null ? undefined : indexByName.get(parentName);
      const value = parent === undefined ? 1 : (pass[parent] as number) + (parent < at ? 0 : 1);
      pass[at] = value;
      base = value;
    }
  }
  const never = specs.filter((_, i) => pass[i] === NEVER);
  if (never.length > 0) {
    const refs = never.map((s) => `${s.name} -> ${s.parent_name ?? ''}`).join(', ');
    throw new InvalidInputError(`requirement breakdown contains unresolved parent references: ${refs}`);
  }
  // Stable order by (pass, input position): a counting sort.
  const byPass: RequirementBreakdownTaskSpec[][] = [];
  specs.forEach((spec, i) => {
    const p = pass[i] as number;
    (byPass[p] ??= []).push(spec);
  });
  return byPass.flat();
}

/**
 * Adds the tasks of `specs` to `list` under `parentId` (null: at the top level), reusing a child
 * of the same parent whose name has the same {@link matchKey} (an open one first, then the
 * oldest). The parent must exist (NotFound) and belong to the list's session. O(specs + n) plus
 * the lengths of the names.
 */
export function materializeBreakdown(
  list: TaskList,
  env: ModelEnv,
  parentId: string | null,
  rawSpecs: readonly RequirementBreakdownTaskSpec[],
): MaterializedTasks {
  if (parentId !== null) checkBreakdownParent(list, parentId);
  const specs = processingOrder(normalizeRequirementBreakdown(rawSpecs));
  const reuse = new ReuseIndex(list);
  const resolved = new Map<string, string>();
  const tasks: Task[] = [];
  const rootTaskIds: string[] = [];
  for (const spec of specs) {
    const underId = spec.parent_name === null ? parentId : (resolved.get(spec.parent_name) as string);
    let task = reuse.find(underId, spec.name);
    if (task === null) {
      task = createTaskRecord(
        { sessionId: list.sessionId, name: spec.name, description: specTaskDescription(spec), parentId: underId, source: TaskSource.Agent },
        env,
      );
      list.addTask(task);
      reuse.added(underId, task);
    }
    resolved.set(spec.name, task.id);
    tasks.push(task);
    if (spec.parent_name === null) rootTaskIds.push(task.id);
  }
  return { tasks, rootTaskIds };
}

/** The checks on a breakdown's parent, made before anything else: it exists (NotFound) and belongs to the session. */
export function checkBreakdownParent(list: TaskList, parentId: string): void {
  const parent = list.getTask(parentId);
  if (parent.session_id !== list.sessionId) {
    throw new InvalidInputError(`parent task '${parentId}' does not belong to session '${list.sessionId}'`);
  }
}
