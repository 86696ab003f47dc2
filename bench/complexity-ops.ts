/**
 * The complexity table's operations: every public TaskManager operation (and the planner parser)
 * on the session shape that is worst for it, with n = 1,000 / 10,000 / 100,000 tasks or input
 * items. Shared by the runner (`complexity.ts`, which writes the seed files) and the worker
 * (`complexity-worker.ts`, which runs one operation at one size in its own process).
 *
 * Only the public API is used, so the table keeps measuring the same thing while the library's
 * insides change.
 */
import {
  TaskList,
  encodeTaskList,
  newMemoryEvent,
  parseRequirementBreakdownResponse,
  steppingClock,
  type RequirementBreakdownTaskSpec,
  type Task,
  type TaskManager,
} from '../src/index.js';

export const SESSION = 'bench';

/** Task id of position `i` in every seed. */
export const tid = (i: number): string => `t${i}`;

// ------------------------------------------------------------------------------------------------
// Session shapes

/**
 * - `flat`: n top-level tasks.
 * - `wide`: one root with n − 1 children (wide fan-out).
 * - `chain`: a parent chain n deep (t0 the root, t(n−1) the leaf).
 * - `depchain`: n top-level tasks, each blocked by the one before (an n-step dependency walk),
 *   plus 200 spare top-level tasks `s0…`.
 * - `star`: t1…t(n−1) all blocked by t0 (many dependents).
 * - `fanin`: t0 blocked by t1…t(n−1), all Completed but the last (many dependencies).
 * - `wideDone`: an InProgress root with n − 1 Completed children.
 * - `orch`: n orchestrator tasks (Queued jobs), orchestrator ids `o0…`.
 * - `tree4`: a 4-ary tree of n tasks.
 * - `small`: 100 top-level tasks, whatever n is (for operations whose input scales instead).
 * - `empty`: no session file.
 */
export type Shape = 'flat' | 'wide' | 'chain' | 'depchain' | 'star' | 'fanin' | 'wideDone' | 'orch' | 'tree4' | 'small' | 'empty';

function baseTask(id: string, i: number, now: string): Task {
  return {
    id,
    name: `Task ${i}`,
    description: `Benchmark task number ${i}: a short description of the work.`,
    status: 'NotStarted',
    parent_id: null,
    blocked_by: [],
    sort_order: 0,
    created_at: now,
    updated_at: now,
    session_id: SESSION,
    source: 'User',
    orchestrator_task_id: null,
    agent_id: null,
    metadata: null,
  };
}

/** The tasks of `shape` at size `n` (null for `empty`). */
export function buildShape(shape: Shape, n: number): Task[] | null {
  if (shape === 'empty') return null;
  const clock = steppingClock('2025-01-01T00:00:00Z', 1_000n);
  const count = shape === 'small' ? 100 : n;
  const tasks: Task[] = [];
  for (let i = 0; i < count; i++) {
    const t = baseTask(tid(i), i, clock.now());
    switch (shape) {
      case 'wide':
      case 'wideDone':
        if (i > 0) {
          t.parent_id = tid(0);
          if (shape === 'wideDone') t.status = 'Completed';
        } else if (shape === 'wideDone') t.status = 'InProgress';
        break;
      case 'chain':
        if (i > 0) t.parent_id = tid(i - 1);
        break;
      case 'depchain':
        if (i > 0) t.blocked_by = [tid(i - 1)];
        break;
      case 'star':
        if (i > 0) t.blocked_by = [tid(0)];
        break;
      case 'fanin':
        if (i === 0) t.blocked_by = Array.from({ length: count - 1 }, (_, k) => tid(k + 1));
        else if (i < count - 1) t.status = 'Completed';
        break;
      case 'orch':
        t.source = 'Orchestrator';
        t.orchestrator_task_id = `o${i}`;
        t.agent_id = 'agent';
        t.background_job = { status: 'Queued', message: 'Created by orchestrator' };
        break;
      case 'tree4':
        if (i > 0) t.parent_id = tid(Math.floor((i - 1) / 4));
        break;
      default:
        break;
    }
    tasks.push(t);
  }
  if (shape === 'depchain') {
    for (let i = 0; i < 200; i++) {
      const t = baseTask(`s${i}`, count + i, clock.now());
      t.name = `Spare ${i}`;
      tasks.push(t);
    }
  }
  return tasks;
}

/** The session file's bytes for `shape` at size `n`, as the library writes them (null: no file). */
export function shapeBytes(shape: Shape, n: number): Buffer | null {
  const tasks = buildShape(shape, n);
  if (tasks === null) return null;
  return Buffer.from(encodeTaskList(TaskList.fromData({ session_id: SESSION, tasks, current_task_id: null })), 'utf8');
}

// ------------------------------------------------------------------------------------------------
// Operations

/** What a timing includes. */
export type Includes = 'commit' | 'read' | 'no write' | 'cpu';

export interface OpContext {
  readonly manager: TaskManager;
  readonly n: number;
  /** Whatever `prepare` returned for this iteration. */
  readonly input: unknown;
}

export interface OpSpec {
  /** Row label. */
  readonly name: string;
  readonly shape: Shape;
  /** Expected complexity of the call, in n (session size) and its input. */
  readonly expected: string;
  /** What the timing includes: a commit (lock + write + fsync of the whole file), a read (stat + copy), a refused change (lock, nothing written) or CPU only. */
  readonly includes: Includes;
  /** Each iteration needs a fresh copy of the seed (the operation consumes its state). */
  readonly fresh?: boolean;
  /** What `n` counts when it is not the session size. */
  readonly nIs?: string;
  /** Untimed, before each iteration; its result is `ctx.input`. */
  readonly prepare?: (n: number, i: number, manager: TaskManager) => unknown;
  /** The timed call. */
  readonly run: (ctx: OpContext, i: number) => Promise<unknown>;
}

const S = SESSION;
const last = (n: number): string => tid(n - 1);
const O_N = 'O(n)';
const COMMIT = 'O(n): the commit rewrites the file';

/** Resolves when `p` rejects; throws if it fulfils (for calls that must be refused). */
async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return error instanceof Error ? error.constructor.name : 'error';
  }
  throw new Error('the call was expected to be refused');
}

function specs(n: number, parentOf: (i: number) => string | null = () => null): RequirementBreakdownTaskSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `Step ${i}`,
    description: `Do step ${i} of the plan.`,
    priority: i % 3 === 0 ? 'high' : 'medium',
    is_blocking: i % 2 === 0,
    parent_name: parentOf(i),
  }));
}

function metadataWithKeys(keys: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < keys; i++) out[`k${i}`] = i;
  return out;
}

export const OPS: readonly OpSpec[] = [
  // Creation and editing
  { name: 'createTask (top level)', shape: 'flat', expected: COMMIT, includes: 'commit', run: ({ manager }, i) => manager.createTask(S, `new ${i}`, 'created') },
  {
    name: 'createTask (under the leaf of an n-deep chain)', shape: 'chain', expected: COMMIT, includes: 'commit',
    run: ({ manager, n }, i) => manager.createTask(S, `new ${i}`, 'created', last(n)),
  },
  {
    name: 'createAgentTask (under a root with n children)', shape: 'wide', expected: COMMIT, includes: 'commit',
    run: ({ manager }, i) => manager.createAgentTask(S, `agent ${i}`, 'created', 'agent-1', tid(0)),
  },
  {
    name: 'createOrchestratorTask (n orchestrator tasks)', shape: 'orch', expected: COMMIT, includes: 'commit',
    run: ({ manager }, i) => manager.createOrchestratorTask(S, `new-o${i}`, 'agent', `orch ${i}`, 'created', { k: i }),
  },
  { name: 'updateTask', shape: 'flat', expected: COMMIT, includes: 'commit', run: ({ manager, n }, i) => manager.updateTask(S, last(n), `renamed ${i}`, null) },
  {
    name: 'updateTaskStatus (leaf of a 4-ary tree, toggled)', shape: 'tree4', expected: COMMIT, includes: 'commit',
    run: ({ manager, n }, i) => manager.updateTaskStatus(S, last(n), i % 2 === 0 ? 'InProgress' : 'NotStarted'),
  },
  {
    name: 'updateTaskStatus (complete the leaf of an n-deep chain)', shape: 'chain', fresh: true, expected: 'O(n): n ancestors complete', includes: 'commit',
    run: ({ manager, n }) => manager.updateTaskStatus(S, last(n), 'Completed'),
  },
  {
    name: 'updateTaskStatus (complete a blocker n tasks wait for)', shape: 'star', fresh: true, expected: COMMIT, includes: 'commit',
    run: ({ manager }) => manager.updateTaskStatus(S, tid(0), 'Completed'),
  },
  {
    name: 'deleteTask (a blocker n tasks wait for)', shape: 'star', fresh: true, expected: 'O(n): n blocked_by lists edited', includes: 'commit',
    run: ({ manager }) => manager.deleteTask(S, tid(0)),
  },
  {
    name: 'deleteTask (leaf of an n-deep chain)', shape: 'chain', fresh: true, expected: COMMIT, includes: 'commit',
    run: ({ manager, n }) => manager.deleteTask(S, last(n)),
  },
  {
    name: 'addTaskDependency (accepted after an n-step walk)', shape: 'depchain', expected: 'O(n): walk + commit', includes: 'commit',
    run: ({ manager, n }, i) => manager.addTaskDependency(S, `s${Math.abs(i) % 200}`, last(n)),
  },
  {
    name: 'addTaskDependency (n-long cycle refused)', shape: 'depchain', expected: 'O(n) walk, nothing written', includes: 'no write',
    run: ({ manager, n }) => refused(manager.addTaskDependency(S, tid(0), last(n))),
  },
  {
    name: 'setTaskBackgroundJob', shape: 'flat', expected: COMMIT, includes: 'commit',
    run: ({ manager, n }, i) => manager.setTaskBackgroundJob(S, last(n), { status: i % 2 === 0 ? 'Running' : 'Queued', job_id: `job-${i}` }),
  },
  {
    name: 'updateTaskMetadata (small object)', shape: 'flat', expected: COMMIT, includes: 'commit',
    run: ({ manager, n }, i) => manager.updateTaskMetadata(S, last(n), { note: `n${i}`, step: i }),
  },
  {
    name: 'updateTaskMetadata (object of 10·n keys)', shape: 'small', nIs: 'keys / 10 (100k ⇒ 10^6 keys)', expected: 'O(keys)', includes: 'commit',
    prepare: (n) => metadataWithKeys(10 * n),
    run: ({ manager, input }, i) => manager.updateTaskMetadata(S, tid(i % 2), input as Record<string, number>),
  },
  {
    name: 'setCurrentTaskId', shape: 'flat', expected: COMMIT, includes: 'commit',
    run: ({ manager, n }, i) => manager.setCurrentTaskId(S, i % 2 === 0 ? last(n) : tid(0)),
  },
  {
    name: 'replaceTaskList (n tasks for n)', shape: 'flat', expected: 'O(n)', includes: 'commit',
    prepare: async (n, i, manager) => {
      const list = await manager.loadTaskList(S);
      list.setCurrentTaskId(tid(i % n));
      return list;
    },
    run: ({ manager, input }) => manager.replaceTaskList(S, input as TaskList),
  },
  {
    name: 'batch of n createTask', shape: 'flat', fresh: true, nIs: 'session size and ops', expected: 'O(n)', includes: 'commit',
    run: ({ manager, n }) =>
      manager.batch(S, (tx) => {
        for (let k = 0; k < n; k++) tx.createTask(`batch ${k}`, 'created in a batch');
      }),
  },

  // Reads
  { name: 'getTask', shape: 'flat', expected: 'O(1) + stat', includes: 'read', run: ({ manager, n }, i) => manager.getTask(S, tid((i * 7919) % n)) },
  { name: 'listTasks', shape: 'flat', expected: O_N, includes: 'read', run: ({ manager }) => manager.listTasks(S) },
  { name: 'getHierarchy (root with n children)', shape: 'wide', expected: O_N, includes: 'read', run: ({ manager }) => manager.getHierarchy(S) },
  { name: 'listDescendants (root of an n-deep chain)', shape: 'chain', expected: O_N, includes: 'read', run: ({ manager }) => manager.listDescendants(S, tid(0)) },
  { name: 'listDescendants (root with n children)', shape: 'wide', expected: O_N, includes: 'read', run: ({ manager }) => manager.listDescendants(S, tid(0)) },
  { name: 'getTaskTree (n-deep chain)', shape: 'chain', expected: O_N, includes: 'read', run: ({ manager }) => manager.getTaskTree(S) },
  { name: 'getTaskTree (4-ary tree)', shape: 'tree4', expected: O_N, includes: 'read', run: ({ manager }) => manager.getTaskTree(S) },
  {
    name: 'findByOrchestratorId (last of n)', shape: 'orch', expected: 'O(n) scan (or O(1))', includes: 'read',
    run: ({ manager, n }) => manager.findByOrchestratorId(S, `o${n - 1}`),
  },
  { name: 'isTaskBlocked (n dependencies)', shape: 'fanin', expected: 'O(deps)', includes: 'read', run: ({ manager }) => manager.isTaskBlocked(S, tid(0)) },
  { name: 'loadTaskList', shape: 'flat', expected: O_N, includes: 'read', run: ({ manager }) => manager.loadTaskList(S) },
  { name: 'getCurrentTaskId', shape: 'flat', expected: 'O(1) + stat', includes: 'read', run: ({ manager }) => manager.getCurrentTaskId(S) },
  { name: 'getMemoryLifecycle', shape: 'flat', expected: 'O(1) + stat', includes: 'read', run: ({ manager, n }) => manager.getMemoryLifecycle(S, last(n)) },
  { name: 'getExecutionState', shape: 'flat', expected: 'O(1) + stat', includes: 'read', run: ({ manager, n }) => manager.getExecutionState(S, last(n)) },
  { name: 'readyTasks (n-step dependency chain)', shape: 'depchain', expected: 'O(n log n)', includes: 'read', run: ({ manager }) => manager.readyTasks(S) },
  { name: 'readyTasks (n-deep chain)', shape: 'chain', expected: 'O(n log n)', includes: 'read', run: ({ manager }) => manager.readyTasks(S) },
  {
    name: 'claimNextTask (n-step dependency chain)', shape: 'depchain', expected: 'O(n log n) + commit', includes: 'commit',
    run: ({ manager }, i) => manager.claimNextTask(S, `agent-${i}`),
  },

  // Multi-step operations
  {
    name: 'cancelOpenDescendants (n-deep chain)', shape: 'chain', fresh: true, expected: 'O(n)', includes: 'commit',
    run: ({ manager }) => manager.cancelOpenDescendants(S, tid(0)),
  },
  {
    name: 'cancelOpenDescendants (root with n children)', shape: 'wide', fresh: true, expected: 'O(n)', includes: 'commit',
    run: ({ manager }) => manager.cancelOpenDescendants(S, tid(0)),
  },
  {
    name: 'recordTaskResult (leaf of an n-deep chain)', shape: 'chain', fresh: true, expected: 'O(n): n ancestors complete', includes: 'commit',
    run: ({ manager, n }) => manager.recordTaskResult(S, last(n), true, 'done', 3, 1200),
  },
  {
    name: 'finalizeTrackedTaskAfterAgentRun (n done children)', shape: 'wideDone', fresh: true, expected: 'O(n)', includes: 'commit',
    run: ({ manager }) => manager.finalizeTrackedTaskAfterAgentRun(S, tid(0)),
  },
  {
    name: 'recordMemoryEvent', shape: 'flat', expected: COMMIT, includes: 'commit',
    run: ({ manager, n }, i) => manager.recordMemoryEvent(S, last(n), newMemoryEvent('handoff', `handoff ${i}`, 'session', 'note', null)),
  },
  {
    name: 'updateExecutionState', shape: 'flat', expected: COMMIT, includes: 'commit',
    run: ({ manager, n }, i) =>
      manager.updateExecutionState(S, last(n), (state) => {
        state.saw_tool_activity = true;
        state.last_runtime_note = `note ${i}`;
      }),
  },
  {
    name: 'materializeRequirementBreakdown (n top-level specs)', shape: 'empty', fresh: true, nIs: 'specs', expected: 'O(specs)', includes: 'commit',
    prepare: (n) => specs(n),
    run: ({ manager, input }) => manager.materializeRequirementBreakdown(S, input as RequirementBreakdownTaskSpec[]),
  },
  {
    name: 'materializeRequirementBreakdown (n specs, parents after children)', shape: 'empty', fresh: true, nIs: 'specs', expected: 'O(specs)', includes: 'commit',
    prepare: (n) => specs(n, (i) => (i < n - 1 ? `Step ${i + 1}` : null)),
    run: ({ manager, input }) => manager.materializeRequirementBreakdown(S, input as RequirementBreakdownTaskSpec[]),
  },
  {
    name: 'materializeRequirementBreakdownUnderParent (n specs)', shape: 'small', fresh: true, nIs: 'specs', expected: 'O(specs)', includes: 'commit',
    prepare: (n) => specs(n),
    run: ({ manager, input }) => manager.materializeRequirementBreakdownUnderParent(S, tid(0), input as RequirementBreakdownTaskSpec[]),
  },
  {
    name: 'initializeAutoTrackedExecutionPlan (n specs)', shape: 'empty', fresh: true, nIs: 'specs', expected: 'O(specs)', includes: 'commit',
    prepare: (n) => specs(n),
    run: ({ manager, input }) => manager.initializeAutoTrackedExecutionPlan(S, 'Root request', 'original input', input as RequirementBreakdownTaskSpec[]),
  },

  // The planner parser (no session)
  {
    name: 'parseRequirementBreakdownResponse (n specs in prose)', shape: 'empty', nIs: 'specs', expected: 'O(text)', includes: 'cpu',
    prepare: (n) => `Here is the plan:\n${JSON.stringify(specs(n), null, 2)}\nThat is all.`,
    run: async ({ input }) => parseRequirementBreakdownResponse(input as string),
  },
  {
    name: 'parseRequirementBreakdownResponse (100·n `[` nesting)', shape: 'empty', nIs: 'text / 100 bytes (100k ⇒ 10 MB)', expected: 'O(text), refused', includes: 'cpu',
    prepare: (n) => '['.repeat(100 * n),
    run: async ({ input }) => {
      try {
        parseRequirementBreakdownResponse(input as string);
      } catch (error) {
        return error instanceof Error ? error.constructor.name : 'error';
      }
      return 'accepted';
    },
  },
];
