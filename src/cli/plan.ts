/**
 * Importing a planner reply (a JSON array of requirement breakdown specs, possibly wrapped in
 * prose) as tasks, for the CLI `import` command and the MCP `import_plan` tool. A real import is
 * one commit; a dry run applies the same operation to a private copy of the list, so it reports
 * exactly what would be created and what reused, and writes nothing.
 */
import {
  parseRequirementBreakdownResponse,
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
 * Parses `text` as a planner reply and materialises it in `sessionId` (under `parentId` when
 * given). Errors are the library's TaskErrors (Serialization for unreadable text, InvalidInput for
 * bad specs, NotFound for a missing parent).
 */
export async function importPlan(
  manager: TaskManager,
  sessionId: string,
  text: string,
  options: { parentId?: string | null; dryRun?: boolean } = {},
): Promise<PlanImportResult> {
  const specs = parseRequirementBreakdownResponse(text);
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
  return manager.batch(sessionId, (tx) => materialize(tx, specs, parentId, false));
}

/** Lines like `+ Name  (new)` / `= Name  (reused <id>)`, indented by depth inside the plan. */
export function renderPlanImport(result: PlanImportResult): string {
  const byId = new Map(result.tasks.map((t) => [t.id, t]));
  const created = new Set(result.created.map((t) => t.id));
  const depth = (task: Task): number => {
    let d = 0;
    let parent = task.parent_id === null ? undefined : byId.get(task.parent_id);
    while (parent !== undefined && d < result.tasks.length) {
      d++;
      parent = parent.parent_id === null ? undefined : byId.get(parent.parent_id);
    }
    return d;
  };
  const lines = result.tasks.map((t) => {
    const indent = '  '.repeat(depth(t));
    return created.has(t.id) ? `${indent}+ ${t.name}  (new)` : `${indent}= ${t.name}  (reused ${t.id})`;
  });
  const verb = result.dry_run ? 'Would create' : 'Created';
  const reuse = result.dry_run ? 'reuse' : 'reused';
  const tail = result.dry_run ? '; nothing written (dry run)' : '';
  lines.push(`${verb} ${result.created.length} task${result.created.length === 1 ? '' : 's'}, ${reuse} ${result.reused.length}${tail}.`);
  return lines.join('\n');
}
