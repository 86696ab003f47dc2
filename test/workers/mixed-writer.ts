/**
 * Campaign worker: makes `ops` mixed changes (creates, status changes, dependencies, metadata,
 * evidence, batches) on one session with its own TaskManager, and writes the state it expects its
 * own tasks to have to `<outDir>/w<worker>.json`. Only this worker changes its tasks; dependencies
 * point from a task to a strictly "older" one (lower worker, or same worker and lower index), so
 * no cycle can ever be refused.
 *
 * Config (argv[2], JSON): { baseDir, session, worker, workers, ops, seed, outDir }
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  InvalidInputError,
  TaskManager,
  newExecutionEvidence,
  recordEvidence,
  type JsonValue,
  type TaskExecutionEvidenceKind,
  type TaskExecutionState,
  type TaskStatus,
} from '../../src/index.js';

interface Config {
  baseDir: string;
  session: string;
  worker: number;
  workers: number;
  ops: number;
  seed: number;
  outDir: string;
}

/** What this worker expects one of its tasks to hold at the end. */
export interface ExpectedTask {
  id: string;
  name: string;
  description: string;
  status: TaskStatus;
  blocked_by: string[];
  /** 'meta' tasks get whole-metadata replacements, 'evidence' tasks execution evidence. */
  role: 'meta' | 'evidence';
  metadata: JsonValue | null;
  executionState: TaskExecutionState | null;
}

/** What a worker reports. */
export interface WorkerReport {
  worker: number;
  tasks: ExpectedTask[];
  counts: Record<string, number>;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
let state = (config.seed ^ (config.worker * 0x9e3779b9)) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function pick<T>(items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const STATUSES: TaskStatus[] = ['NotStarted', 'InProgress', 'Blocked', 'Completed', 'Cancelled'];
const KINDS: TaskExecutionEvidenceKind[] = ['tool_activity', 'diagnostic', 'contradiction', 'blocker', 'mutation', 'build', 'test', 'artifact'];

const manager = new TaskManager(config.baseDir, { lock: { staleMs: 10_000, timeoutMs: 120_000 } });
const mine: ExpectedTask[] = [];
const counts: Record<string, number> = {};
const count = (what: string): void => {
  counts[what] = (counts[what] ?? 0) + 1;
};

function expectCreated(id: string, name: string, description: string, status: TaskStatus = 'NotStarted'): void {
  mine.push({
    id,
    name,
    description,
    status,
    blocked_by: [],
    role: mine.length % 2 === 0 ? 'meta' : 'evidence',
    metadata: null,
    executionState: null,
  });
}

for (let op = 0; op < config.ops; op++) {
  const r = random();
  const name = `w${config.worker}-t${mine.length}`;
  const description = `created by worker ${config.worker} at op ${op} — ünïcödé ✓`;
  if (mine.length < 2 || r < 0.22) {
    const how = pick(['plain', 'agent', 'batch'] as const);
    if (how === 'plain') {
      const task = await manager.createTask(config.session, name, description);
      expectCreated(task.id, name, description);
    } else if (how === 'agent') {
      const task = await manager.createAgentTask(config.session, name, description, `agent-${config.worker}`);
      expectCreated(task.id, name, description);
    } else {
      // Two changes in one commit: create, then start it.
      const task = await manager.batch(config.session, (tx) => {
        const created = tx.createTask(name, description);
        return tx.updateTaskStatus(created.id, 'InProgress');
      });
      expectCreated(task.id, name, description, 'InProgress');
    }
    count(`create-${how}`);
  } else if (r < 0.42) {
    const target = pick(mine);
    const status = pick(STATUSES);
    try {
      const task = await manager.updateTaskStatus(config.session, target.id, status);
      target.status = task.status;
      count('status');
    } catch (error) {
      // Completing a task whose blockers are open is refused; nothing changes then.
      if (!(error instanceof InvalidInputError) || status !== 'Completed') throw error;
      count('status-refused');
    }
  } else if (r < 0.6) {
    const index = 1 + Math.floor(random() * (mine.length - 1));
    const target = mine[index]!;
    let blocker: string;
    if (config.worker > 0 && random() < 0.5) {
      const older = `w${Math.floor(random() * config.worker)}-`;
      const candidates = (await manager.listTasks(config.session)).filter((t) => t.name.startsWith(older));
      blocker = candidates.length > 0 ? pick(candidates).id : mine[Math.floor(random() * index)]!.id;
    } else {
      blocker = mine[Math.floor(random() * index)]!.id;
    }
    const added = await manager.addTaskDependency(config.session, target.id, blocker);
    if (added !== !target.blocked_by.includes(blocker)) throw new Error(`addTaskDependency returned ${added} for ${target.name}`);
    if (added) target.blocked_by.push(blocker);
    count('dependency');
  } else if (r < 0.8) {
    const target = pick(mine.filter((t) => t.role === 'meta'));
    const metadata: JsonValue = {
      worker: config.worker,
      op,
      big: Number.MAX_SAFE_INTEGER,
      text: `métadonnées ${op} \u2028 "quoted" \\ 🎉`,
      nested: { list: [op, op * 2, { deep: [true, false, null] }] },
    };
    const task = await manager.updateTaskMetadata(config.session, target.id, metadata);
    target.metadata = task.metadata;
    count('metadata');
  } else {
    const target = pick(mine.filter((t) => t.role === 'evidence'));
    const evidence = newExecutionEvidence(pick(KINDS), `w${config.worker} op ${op}`, pick([null, 'shell', 'web']), pick([null, 'npm test']), random() < 0.8);
    target.executionState = await manager.updateExecutionState(config.session, target.id, (s) => {
      recordEvidence(s, evidence);
    });
    count('evidence');
  }
}

const report: WorkerReport = { worker: config.worker, tasks: mine, counts };
fs.writeFileSync(path.join(config.outDir, `w${config.worker}.json`), JSON.stringify(report));
process.stdout.write(`done ${config.worker}\n`);
