/** The gestura-tasks CLI: in-process through runCli, and as a real process for exit codes and stdin. */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { TaskManager, type Task } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { runTsx } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(dir: string, args: string[], options: { stdin?: string; isTTY?: boolean; env?: Record<string, string> } = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as Readable & { isTTY?: boolean };
  if (options.stdin === undefined) stdin.isTTY = true;
  const code = await runCli(['--dir', dir, ...args], {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.isTTY ?? false },
    stderr: { write: (s: string) => (stderr += s) },
    stdin,
    env: options.env ?? {},
    cwd: dir,
  });
  return { code, stdout, stderr };
}

async function json<T>(dir: string, args: string[]): Promise<T> {
  const r = await cli(dir, [...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const PLAN = `Sure! Here is the breakdown:
[
  {"name": "Backend", "description": "Server side", "priority": "High", "is_blocking": true},
  {"name": "API", "description": "HTTP endpoints", "priority": "medium", "is_blocking": false, "parent_name": "Backend"},
  {"name": "Docs", "description": "Write the docs", "priority": "", "is_blocking": false}
]
Let me know if you need more.`;

describe('gestura-tasks CLI', () => {
  it('adds tasks, shows a tree, list and details', async () => {
    const dir = tempDir();
    const root = await json<Task>(dir, ['add', 'Ship v1', '-m', 'Release the first version']);
    const code = await json<Task>(dir, ['add', 'Write code', '--parent', root.id]);
    const tests = await json<Task>(dir, ['add', 'Write tests', '--parent', root.id, '--blocked-by', code.id, '--agent', 'bot']);
    expect(tests).toMatchObject({ parent_id: root.id, blocked_by: [code.id], source: 'Agent', agent_id: 'bot' });

    const tree = await cli(dir, ['tree']);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toBe(
      [
        `○ Ship v1  ${root.id}`,
        `├── ○ Write code  ${code.id}`,
        `└── ○ Write tests  ${tests.id}  waits for: Write code`,
        '3 tasks: 3 not_started',
        '',
      ].join('\n'),
    );
    expect(tree.stdout).not.toContain('\u001b[');

    const list = await cli(dir, ['list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+NAME$/);
    expect(list.stdout).toContain(`${code.id}  ○ not_started  Write code`);
    expect(await json<Task[]>(dir, ['list', '--agent', 'bot'])).toHaveLength(1);

    const show = await cli(dir, ['show', tests.id]);
    expect(show.stdout).toContain('waits for  ○ Write code');
    expect(show.stdout).toContain(`parent     Ship v1 (${root.id})`);
    expect((await json<Task>(dir, ['show', root.id])).description).toBe('Release the first version');
  });

  it('colours only on a TTY and never with NO_COLOR', async () => {
    const dir = tempDir();
    await cli(dir, ['add', 'a']);
    expect((await cli(dir, ['tree'], { isTTY: true })).stdout).toContain('\u001b[');
    expect((await cli(dir, ['tree'], { isTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
    expect((await cli(dir, ['tree'], { isTTY: false })).stdout).not.toContain('\u001b[');
  });

  it('changes status with ancestor reconciliation, dependencies, ready queue, claims and the current task', async () => {
    const dir = tempDir();
    const root = await json<Task>(dir, ['add', 'root']);
    const a = await json<Task>(dir, ['add', 'a', '-p', root.id]);
    const b = await json<Task>(dir, ['add', 'b', '-p', root.id]);
    const dep = await cli(dir, ['dep', b.id, a.id]);
    expect(dep.stdout).toBe(`${b.id} now waits for ${a.id}\n`);
    expect((await cli(dir, ['dep', b.id, a.id])).stdout).toContain('already waits');

    expect((await json<Task[]>(dir, ['ready'])).map((t) => t.name)).toEqual(['a']);
    const claim = await cli(dir, ['claim', '--agent', 'agent-7']);
    expect(claim.stdout).toBe(`Claimed ${a.id}  a\n`);
    expect((await cli(dir, ['ready'])).stdout).toBe('No ready tasks.\n');
    expect(await json<Task | null>(dir, ['claim', '-a', 'agent-7'])).toBeNull();

    const done = await cli(dir, ['status', a.id, 'done']);
    expect(done.stdout).toBe(`a: in_progress → completed  ${a.id}\n`);
    expect(await json<Task[]>(dir, ['ready', '-n', '1'])).toMatchObject([{ id: b.id }]);

    const finished = await json<{ task: Task; changes: { task: Task; from: string; to: string }[] }>(dir, ['status', b.id, 'completed']);
    expect(finished.changes.map((c) => [c.task.name, c.from, c.to])).toEqual([
      ['root', 'InProgress', 'Completed'],
      ['b', 'NotStarted', 'Completed'],
    ]);

    expect((await cli(dir, ['current'])).stdout).toBe('No current task.\n');
    expect((await cli(dir, ['current', root.id])).stdout).toBe(`${root.id}  root\n`);
    expect((await json<Task>(dir, ['current'])).id).toBe(root.id);
    expect((await cli(dir, ['current', '--clear'])).stdout).toBe('No current task.\n');
  });

  it('imports a planner reply: dry run first, then for real, then everything is reused', async () => {
    const dir = tempDir();
    const planFile = path.join(dir, 'plan.txt');
    fs.writeFileSync(planFile, PLAN);

    const dry = await cli(dir, ['import', 'plan.txt', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(['+ Backend  (new)', '  + API  (new)', '+ Docs  (new)', 'Would create 3 tasks, reuse 0; nothing written (dry run).', ''].join('\n'));
    expect(fs.existsSync(new TaskManager(dir).sessionPath('default'))).toBe(false);

    const real = await json<{ created: Task[]; reused: Task[]; root_task_ids: string[] }>(dir, ['import', planFile]);
    expect(real.created.map((t) => t.name)).toEqual(['Backend', 'API', 'Docs']);
    expect(real.created[0]!.description).toBe('Server side\n\nPriority: high\nBlocking: yes');
    expect(real.root_task_ids).toHaveLength(2);

    const again = await cli(dir, ['import', planFile, '--dry-run']);
    expect(again.stdout).toContain(`= Backend  (reused ${real.created[0]!.id})`);
    expect(again.stdout).toContain('Would create 0 tasks, reuse 3');

    // From stdin, under a parent.
    const parent = await json<Task>(dir, ['add', 'Epic']);
    const fromStdin = await cli(dir, ['import', '-', '--parent', parent.id, '--json'], { stdin: PLAN });
    const result = JSON.parse(fromStdin.stdout) as { created: Task[] };
    expect(result.created.filter((t) => t.parent_id === parent.id).map((t) => t.name)).toEqual(['Backend', 'Docs']);
  });

  it('exports the session file exactly, and lists sessions', async () => {
    const dir = tempDir();
    await cli(dir, ['--session', 'one', 'add', 'x']);
    await cli(dir, ['add', 'y', '-s', 'two']);
    const exported = await cli(dir, ['export', '--session', 'one']);
    expect(exported.stdout).toBe(`${fs.readFileSync(new TaskManager(dir).sessionPath('one'), 'utf8')}\n`);
    const out = path.join(dir, 'backup', 'one.json');
    fs.mkdirSync(path.dirname(out));
    expect((await cli(dir, ['export', '--session', 'one', '--output', out])).code).toBe(0);
    expect(fs.readFileSync(out)).toEqual(fs.readFileSync(new TaskManager(dir).sessionPath('one')));
    expect((await cli(dir, ['sessions'])).stdout).toBe('one\ntwo\n');
    expect((await cli(dir, ['list'], { env: { GESTURA_SESSION: 'two' } })).stdout).toContain('y');
  });

  it('exits 1 with the task error on stderr, 2 on bad usage', async () => {
    const dir = tempDir();
    const missing = await cli(dir, ['show', 'nope']);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'Task not found: nope\n' });
    // The task is found before the status text is checked (README parity rules): use one that exists.
    const existing = await json<Task>(dir, ['add', 'exists']);
    const badStatus = await cli(dir, ['status', existing.id, 'later']);
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toBe(
      "Invalid input: Unknown task status: 'later'. Expected: not_started, blocked, in_progress, completed, cancelled\n",
    );
    const badPlan = await cli(dir, ['import', '-'], { stdin: 'no array here' });
    expect(badPlan).toMatchObject({ code: 1, stderr: 'Serialization error: planner response did not contain a JSON array\n' });
    expect((await cli(dir, ['import', 'missing.txt'])).code).toBe(1);
    expect((await cli(dir, ['--session', '../x', 'list'])).stderr).toMatch(/^Invalid input: /);

    expect((await cli(dir, ['frobnicate'])).code).toBe(2);
    expect((await cli(dir, ['claim'])).code).toBe(2); // --agent is required
    expect((await cli(dir, ['ready', '--limit', 'zero'])).code).toBe(2);
    expect((await cli(dir, ['list', '--status', 'someday'])).code).toBe(2);
    expect((await cli(dir, ['current', 'x', '--clear'])).code).toBe(2);
    expect((await cli(dir, ['import'])).code).toBe(2); // stdin is a terminal and no file given
    expect((await cli(dir, [])).code).toBe(2);
    const help = await cli(dir, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: gestura-tasks');
  });

  it('runs as a real process: exit codes, stderr, stdin', async () => {
    const dir = tempDir();
    const ok = await runTsx('src/cli/main.ts', ['--dir', dir, 'import', '--json'], { input: PLAN });
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { created: Task[] }).created).toHaveLength(3);
    const [tree, failed, usage] = await Promise.all([
      runTsx('src/cli/main.ts', ['tree', '--dir', dir]),
      runTsx('src/cli/main.ts', ['--dir', dir, 'status', 'missing', 'done']),
      runTsx('src/cli/main.ts', ['--dir', dir, 'nonsense']),
    ]);
    expect(tree.stdout).toContain('└── ○ API');
    expect(tree.stdout).not.toContain('\u001b[');
    expect(failed).toMatchObject({ code: 1, stdout: '', stderr: 'Task not found: missing\n' });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown command 'nonsense'");
  });
});
