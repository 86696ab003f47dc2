/** Leased claims on the command line, as real processes: claim --lease, renew, release, status --token. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TaskManager, type Task, type TaskClaim } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { runTsx, type TsxRun } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();

const run = (dir: string, args: string[]): Promise<TsxRun> => runTsx('src/cli/main.ts', ['--dir', dir, ...args]);

describe('CLI leased claims', () => {
  it('claims with a lease and prints the token, fences status with it, renews and releases', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir);
    const first = await manager.createTask('default', 'First', '');
    const second = await manager.createTask('default', 'Second\u001b[31m', '');

    const claimed = await run(dir, ['claim', '--agent', 'w\u001b]0;x\u0007', '--lease', '5m']);
    expect(claimed.stderr).toBe('');
    expect(claimed.code).toBe(0);
    const [head, lease] = claimed.stdout.split('\n');
    expect(head).toBe(`Claimed ${first.id}  First`);
    // Untrusted agent ids are escaped like every other human-readable output.
    expect(lease).toMatch(/^claimed by w\\e\]0;x\\x07, token 1, \d+m \d+s left \(until \d{4}-\d\d-\d\dT[\d:.]+Z\)$/);

    // A named task, with --json: the task and its claim, numbers exact.
    const named = await run(dir, ['claim', second.id, '--agent', 'w2', '--lease', '90s', '--json']);
    expect(named.code).toBe(0);
    const { task, claim } = JSON.parse(named.stdout) as { task: Task; claim: TaskClaim };
    expect(task).toMatchObject({ id: second.id, status: 'InProgress', agent_id: 'w2' });
    expect(claim).toMatchObject({ agent_id: 'w2', token: 2, lease_ms: 90_000 });

    // A token that is not the live claim is refused and changes nothing.
    const wrong = await run(dir, ['status', first.id, 'done', '--token', '2']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`claim lost: token 2 is not the live claim of task '${first.id}'`);
    expect((await manager.getTask('default', first.id))?.status).toBe('InProgress');

    const renewed = await run(dir, ['renew', first.id, '--token', '1', '--lease', '1h', '--json']);
    expect(renewed.code).toBe(0);
    expect((JSON.parse(renewed.stdout) as { claim: TaskClaim }).claim).toMatchObject({ token: 1, lease_ms: 3_600_000 });

    const shown = await run(dir, ['show', first.id]);
    expect(shown.stdout).toMatch(/\nclaim +claimed by w\\e\]0;x\\x07, token 1, \d+m \d+s left \(until /);

    const done = await run(dir, ['status', first.id, 'done', '--token', '1']);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect((await manager.getTask('default', first.id))?.status).toBe('Completed');

    const released = await run(dir, ['release', second.id, '--token', '2']);
    expect(released.stdout).toBe(`Released ${second.id}  Second\\e[31m\n`);
    expect(await manager.getTask('default', second.id)).toMatchObject({ status: 'NotStarted', agent_id: null });
    const twice = await run(dir, ['release', second.id, '--token', '2']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('nobody holds it now');
  }, 120_000);

  it('refuses bad --lease and --token values as usage errors, writing nothing', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir);
    const task = await manager.createTask('default', 'Only', '');
    const before = fs.readFileSync(path.join(dir, '.gestura', 'tasks', 'default.json'));
    const runs = await Promise.all([
      run(dir, ['claim', '--agent', 'a', '--lease', '5x']),
      run(dir, ['claim', '--agent', 'a', '--lease', '0']),
      run(dir, ['claim', '--agent', 'a', '--lease', '367d']),
      run(dir, ['renew', task.id, '--token', 'abc']),
      run(dir, ['status', task.id, 'done', '--token', '-1']),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: option '--(lease|token)' must be/);
    }
    expect(runs[0]!.stderr).toContain('got "5x"');
    expect(fs.readFileSync(path.join(dir, '.gestura', 'tasks', 'default.json'))).toEqual(before);
  }, 120_000);

  it('claim without --lease behaves as before: no claim record, the bare task in --json', async () => {
    const dir = tempDir();
    const manager = new TaskManager(dir);
    const task = await manager.createTask('default', 'Plain', '');
    const r = await run(dir, ['claim', '--agent', 'a', '--json']);
    expect(r.code).toBe(0);
    const claimed = JSON.parse(r.stdout) as Task;
    expect(claimed).toMatchObject({ id: task.id, status: 'InProgress', agent_id: 'a' });
    expect(claimed.metadata).toBeNull();
  }, 60_000);
});
