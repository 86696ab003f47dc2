/**
 * A realistic agent session on a fresh temporary workspace: a planner reply becomes a tracked plan,
 * subtasks move through their states with execution evidence, a premature completion is refused,
 * and the result is recorded. Run with `npm run demo`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  TaskManager,
  TaskError,
  newExecutionEvidence,
  parseRequirementBreakdownResponse,
  recordEvidence,
  mergeProfile,
  satisfiesProfile,
  formatTaskStatus,
  type TaskTreeNode,
} from '../src/index.js';

const MARK: Record<string, string> = {
  NotStarted: '○',
  Blocked: '⊘',
  InProgress: '◐',
  Completed: '●',
  Cancelled: '✕',
};

function renderTree(nodes: TaskTreeNode[], prefix = ''): string[] {
  const lines: string[] = [];
  nodes.forEach((node, i) => {
    const last = i === nodes.length - 1;
    const { task } = node;
    lines.push(`${prefix}${last ? '└─ ' : '├─ '}${MARK[task.status] ?? '?'} ${task.name}  [${formatTaskStatus(task.status)}]`);
    lines.push(...renderTree(node.children, prefix + (last ? '   ' : '│  ')));
  });
  return lines;
}

const step = (text: string): void => console.log(`\n▶ ${text}`);

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gestura-demo-'));
const manager = new TaskManager(workspace);
const session = 'demo-session';

step('The planner answers with prose around a fenced JSON array');
const plannerReply = `Sure! Here is how I would break the request down:

\`\`\`json
[
  {"name": "Scaffold the CLI", "description": "Create package.json and the entry point", "priority": "High", "is_blocking": true},
  {"name": "Parse arguments", "description": "Support --input and --output", "priority": "medium", "is_blocking": false, "parent_name": "Scaffold the CLI"},
  {"name": "Write tests", "description": "Cover the happy path and bad input", "priority": "medium", "is_blocking": false},
  {"name": "Document usage", "description": "README section with examples", "priority": "low", "is_blocking": false}
]
\`\`\`

Let me know if you want changes.`;
const specs = parseRequirementBreakdownResponse(plannerReply);
console.log(`parsed ${specs.length} task specs: ${specs.map((s) => s.name).join(', ')}`);

step('The specs become a tracked execution plan (one commit)');
const plan = await manager.initializeAutoTrackedExecutionPlan(
  session,
  'Build a CSV-to-JSON CLI',
  'Build a small CLI that converts CSV files to JSON, with tests and docs.',
  specs,
);
console.log(`root: ${plan.root_task.name} (${formatTaskStatus(plan.root_task.status)})`);
console.log(`planned: ${plan.planned_subtasks.join(' | ')}`);
console.log(`current task: ${plan.initial_task_name}`);

const byName = new Map((await manager.listTasks(session)).map((t) => [t.name, t]));
const id = (name: string): string => {
  const task = byName.get(name);
  if (!task) throw new Error(`no task named ${name}`);
  return task.id;
};

step('"Write tests" must wait for the scaffold');
await manager.addTaskDependency(session, id('Write tests'), id('Scaffold the CLI'));
console.log(`"Write tests" blocked: ${await manager.isTaskBlocked(session, id('Write tests'))}`);

step('The agent works on "Parse arguments" and records execution evidence');
await manager.updateTaskStatus(session, id('Parse arguments'), 'in_progress');
const state = await manager.updateExecutionState(session, id('Parse arguments'), (s) => {
  mergeProfile(s, { execution_kind: 'implementation', requires_mutation: true, requires_test: true });
  recordEvidence(s, newExecutionEvidence('tool_activity', 'Read src/cli.ts', 'read_file'));
  recordEvidence(s, newExecutionEvidence('mutation', 'Added --input/--output parsing', 'edit_file'));
  recordEvidence(s, newExecutionEvidence('test', 'npm test failed: 1 of 6', 'shell', 'npm test', false));
});
console.log(`evidence: ${state.evidence.length} entries, profile satisfied: ${satisfiesProfile(state)}`);

step('Trying to complete the scaffold too early is refused');
try {
  await manager.updateTaskStatus(session, id('Scaffold the CLI'), 'done');
} catch (error) {
  if (!(error instanceof TaskError)) throw error;
  console.log(`refused (${error.kind}): ${error.message}`);
}

step('Tests pass; the subtask finishes and its parent completes by itself');
const verified = await manager.updateExecutionState(session, id('Parse arguments'), (s) => {
  recordEvidence(s, newExecutionEvidence('test', 'npm test passed: 6 of 6', 'shell', 'npm test'));
});
console.log(`profile satisfied now: ${satisfiesProfile(verified)}`);
await manager.recordTaskResult(session, id('Parse arguments'), true, 'argument parsing done', 4, 5230);
console.log(`"Scaffold the CLI" is now ${formatTaskStatus((await manager.getTask(session, id('Scaffold the CLI')))!.status)}`);
console.log(`"Write tests" blocked: ${await manager.isTaskBlocked(session, id('Write tests'))}`);

step('Two more subtasks in one batch (one lock, one write)');
await manager.batch(session, (tx) => {
  tx.updateTaskStatus(id('Write tests'), 'in_progress');
  tx.recordTaskResult(id('Write tests'), true, '6 tests', 9, 8100);
  tx.recordTaskResult(id('Document usage'), false, 'docs deferred to next sprint', 1, 900);
});

step('The agent run ends: finalize the root task');
const final = await manager.finalizeTrackedTaskAfterAgentRun(session, plan.root_task.id);
console.log(`finalization: ${JSON.stringify(final)}`);

step('Follow-up work is queued for the next agents');
const release = await manager.batch(session, (tx) => {
  const root = tx.createTask('Release v0.2', 'Ship the CSV-to-JSON CLI to npm');
  const changelog = tx.createTask('Write the changelog', 'List the new flags and the fixed bugs', root.id);
  const publish = tx.createAgentTask('Publish to npm', 'npm publish with provenance', 'release-bot', root.id);
  const announce = tx.createTask('Announce the release', 'Post to the team channel', root.id);
  tx.createTask('Update the website', 'New usage examples on the docs site', root.id);
  tx.addTaskDependency(publish.id, changelog.id);
  tx.addTaskDependency(announce.id, publish.id);
  tx.updateTaskStatus(changelog.id, 'in_progress');
  tx.setTaskBackgroundJob(changelog.id, { status: 'Running', job_id: 'job-42', message: 'drafting from git log' });
  tx.setCurrentTaskId(changelog.id);
  return root;
});
console.log(`queued "${release.name}" with 3 subtasks; ready now: ${(await manager.readyTasks(session)).map((t) => t.name).join(', ') || 'none'}`);

step('Task tree');
console.log(renderTree(await manager.getTaskTree(session)).join('\n'));
console.log(`\nsession file: ${manager.sessionPath(session)}`);

step('Watch it live in the browser (read-only; add --allow-writes to act on tasks)');
console.log(`npm run build && node dist/cli/main.cjs serve --dir ${JSON.stringify(workspace)} --port 4477`);
console.log(`(with the package installed: npx gestura-tasks serve --dir ${JSON.stringify(workspace)})`);
