/**
 * Importing a planner reply (a JSON array of requirement breakdown specs, as text possibly wrapped
 * in prose, or as an array) as tasks: the CLI `import` command and the MCP `import_plan` tool. A
 * real import is one commit; a dry run applies the same operation to a private copy of the list,
 * so it reports exactly what would be created and what reused, and writes nothing.
 *
 * Every spec is checked by the library's own planner parsing (the schema and the normalisation
 * the manager applies), whichever way it came in: there is no second spec check here.
 */
import { exceedsDepth, MAX_DOCUMENT_DEPTH } from '../json/depth.js';
import {
  parseRequirementBreakdownResponse,
  TaskSerializationError,
  systemClock,
  TaskTransaction,
  type RequirementBreakdownTaskSpec,
  type Task,
  type TaskManager,
} from '../index.js';

/** What an import did (or, in a dry run, would do). */
export interface PlanImportResult {
  readonly dry_run: boolean;
  /** Every spec's task in processing order, created or reused. */
  readonly tasks: Task[];
  /** The tasks that are new (in a dry run their ids are placeholders `new-1`, `new-2`, …). */
  readonly created: Task[];
  /** Existing tasks matched by name and reused. */
  readonly reused: Task[];
  /** Ids of the tasks of specs without a parent name. */
  readonly root_task_ids: string[];
}

/** A plan as a front end receives it: the planner's text, or the array of specs itself. */
export type PlanInput = string | readonly unknown[];

/**
 * The specs of `plan`, checked. An array goes through the same text parser as a reply (it is
 * written out as JSON first), so both forms are validated by one path.
 */
export function planSpecs(plan: PlanInput): RequirementBreakdownTaskSpec[] {
  if (typeof plan === 'string') return parseRequirementBreakdownResponse(plan);
  // JSON.stringify recurses: an array nested deeper than any task file may be (hundreds of
  // thousands of levels from an MCP client) would overflow the stack. It is refused as its text
  // would be, without printing it. O(size of the plan).
  if (exceedsDepth(plan, MAX_DOCUMENT_DEPTH)) {
    throw new TaskSerializationError(`planner response is not valid JSON: it nests deeper than ${MAX_DOCUMENT_DEPTH} levels`);
  }
  return parseRequirementBreakdownResponse(JSON.stringify(plan));
}

function materialize(tx: TaskTransaction, specs: RequirementBreakdownTaskSpec[], parentId: string | null, dryRun: boolean): PlanImportResult {
  const existing = new Set(tx.listTasks().map((t) => t.id));
  const result =
    parentId === null ? tx.materializeRequirementBreakdown(specs) : tx.materializeRequirementBreakdownUnderParent(parentId, specs);
  const tasks = result.created_tasks;
  return {
    dry_run: dryRun,
    tasks,
    created: tasks.filter((t) => !existing.has(t.id)),
    reused: tasks.filter((t) => existing.has(t.id)),
    root_task_ids: result.root_task_ids,
  };
}

/**
 * Materialises `plan` in `sessionId` (under `parentId` when given). Errors are the library's
 * TaskErrors (Serialization for unreadable text, InvalidInput for bad specs, NotFound for a
 * missing parent).
 */
export async function importPlan(
  manager: TaskManager,
  sessionId: string,
  plan: PlanInput,
  options: { parentId?: string | null | undefined; dryRun?: boolean | undefined } = {},
): Promise<PlanImportResult> {
  const specs = planSpecs(plan);
  const parentId = options.parentId ?? null;
  if (options.dryRun === true) {
    let n = 0;
    const tx = new TaskTransaction(await manager.loadTaskList(sessionId), { clock: systemClock, newId: () => `new-${++n}` });
    try {
      return materialize(tx, specs, parentId, true);
    } finally {
      tx.close();
    }
  }
  const operation = parentId === null ? 'materializeRequirementBreakdown' : 'materializeRequirementBreakdownUnderParent';
  return manager.batch(sessionId, (tx) => materialize(tx, specs, parentId, false), { operation });
}
