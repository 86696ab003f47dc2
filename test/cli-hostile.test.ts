/**
 * The CLI under hostile data, as a real process: bounded output on huge trees, escaped control
 * characters in every human-readable output (exact JSON stays exact), and the same validation as
 * the library for plans.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TaskManager, type Task, type TaskTreeNode } from '../src/index.js';
import { writeChain } from './helpers/big-sessions.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { runTsx } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();

const cli = (dir: string, args: string[], input?: string) => runTsx('src/cli/main.ts', ['--dir', dir, ...args], input === undefined ? {} : { input });

/** Every character a terminal would act on, except the line feed that ends lines. */
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('CLI output on huge sessions is bounded', () => {
  it('tree on a 10,000-deep chain prints the top levels and counts the rest; --root and --depth look inside', async () => {
    const dir = tempDir();
    const chain = await writeChain(dir, 'default', 10_000);
    const tree = await cli(dir, ['tree']);
    expect(tree.code).toBe(0);
    expect(tree.stdout.length).toBeLessThan(100_000);
    expect(tree.stdout).toContain(`… 9,970 more levels, 9,970 tasks (use --root ${chain[29]!.id})`);
    expect(tree.stdout.trimEnd().split('\n').at(-1)).toBe('10,000 tasks: 10,000 not_started');

    const inner = await cli(dir, ['tree', '--root', chain[5_000]!.id, '--depth', '3']);
    expect(inner.stdout.split('\n').slice(0, 4)).toEqual([
      `○ level 5000  ${chain[5_000]!.id}`,
      `└── ○ level 5001  ${chain[5_001]!.id}`,
      `    └── ○ level 5002  ${chain[5_002]!.id}`,
      `        └── … 4,997 more levels, 4,997 tasks (use --root ${chain[5_002]!.id})`,
    ]);
    expect((await cli(dir, ['tree', '--root', 'missing'])).stderr).toBe('Task not found: missing\n');
    expect((await cli(dir, ['tree', '--depth', '0'])).code).toBe(2);
  });

  it('tree --json writes the whole 10,000-deep tree without overflowing the stack', async () => {
    const dir = tempDir();
    const chain = await writeChain(dir, 'default', 10_000);
    const result = await cli(dir, ['tree', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const forest = JSON.parse(result.stdout) as TaskTreeNode[];
    let depth = 0;
    for (let node: TaskTreeNode | undefined = forest[0]; node !== undefined; node = node.children[0]) {
      expect(node.task.id).toBe(chain[depth]!.id);
      depth++;
    }
    expect(depth).toBe(10_000);
    const sub = JSON.parse((await cli(dir, ['tree', '--json', '--root', chain[9_998]!.id])).stdout) as TaskTreeNode[];
    expect(sub).toEqual([{ task: chain[9_998], children: [{ task: chain[9_999], children: [] }] }]);
  });

  it('long sibling lists are cut with a count', async () => {
    const dir = tempDir();
    const root = await new TaskManager(dir).batch('default', (tx) => {
      const parent = tx.createTask('parent', '');
      for (let i = 0; i < 350; i++) tx.createTask(`child ${i}`, '', parent.id);
      return parent;
    });
    const tree = await cli(dir, ['tree']);
    const lines = tree.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 100 + 1 + 1);
    expect(lines.at(-2)).toBe(`└── … 250 more subtasks (use --root ${root.id})`);
    expect((await cli(dir, ['tree', '--width', '2'])).stdout).toContain('└── … 348 more subtasks');
  });
});

describe('CLI escapes control characters in human-readable output', () => {
  const nasty = {
    forged: 'innocent\n✓ fake completed line',
    title: 'title \u001b]0;pwned\u0007 change',
    colour: '\u001b[31mred\u001b[0m text',
    bidi: 'abc\u202edcba',
    c1: 'next\u0085line and \u009b csi and \u007f del',
  };

  it('names, ids, descriptions and errors are shown with escapes; JSON stays exact', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir);
    const created: Task[] = [];
    for (const name of Object.values(nasty)) created.push(await manager.createTask('default', name, `line one\n\u001b[2Jline two`));
    const [first, second] = created as [Task, Task];
    await manager.addTaskDependency('default', second.id, first.id);
    await manager.setCurrentTaskId('default', first.id);

    const outputs = await Promise.all([
      cli(dir, ['tree']),
      cli(dir, ['list']),
      cli(dir, ['show', first.id]),
      cli(dir, ['show', second.id]),
      cli(dir, ['current']),
      cli(dir, ['ready']),
      cli(dir, ['show', 'no\u001b[31msuch']),
    ]);
    for (const out of outputs) {
      expect(out.stdout).not.toMatch(TERMINAL_CONTROL);
      expect(out.stderr).not.toMatch(TERMINAL_CONTROL);
    }
    const [tree, list, show] = outputs;
    // One line per task plus the summary: the newline in a name forges no line.
    expect(tree!.stdout.trimEnd().split('\n')).toHaveLength(created.length + 1);
    expect(tree!.stdout).toContain('innocent\\n✓ fake completed line');
    expect(tree!.stdout).toContain('title \\e]0;pwned\\x07 change');
    expect(list!.stdout).toContain('abc\\u202edcba');
    expect(list!.stdout).toContain('next\\x85line and \\x9b csi and \\x7f del');
    expect(show!.stdout).toContain('  line one\n  \\e[2Jline two');
    expect(outputs[6]!.stderr).toBe('Task not found: no\\e[31msuch\n');

    const exact = JSON.parse((await cli(dir, ['show', first.id, '--json'])).stdout) as Task;
    expect(exact.name).toBe(nasty.forged);
    const status = await cli(dir, ['status', created[4]!.id, 'done']);
    expect(status.stdout).toBe(`next\\x85line and \\x9b csi and \\x7f del: not_started → completed  ${created[4]!.id}\n`);
  });
});

describe('CLI import validates like the library', () => {
  it('refuses a plan whose task name has a lone surrogate, as createTask does, and writes nothing', async () => {
    const dir = tempDir();
    const planFile = path.join(dir, 'plan.json');
    fs.writeFileSync(planFile, '[{"name": "bad \\ud800 name", "description": "x", "priority": "high", "is_blocking": false}]');
    const result = await cli(dir, ['import', planFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('lone surrogate');
    expect(fs.existsSync(new TaskManager(dir).sessionPath('default'))).toBe(false);
  });
});
