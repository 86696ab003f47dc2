/**
 * `gestura-tasks history` as a real process (README "History"): the CLI keeps the history, names
 * itself (`cli`) or the agent as the actor, filters by task, since and limit, and gives JSON.
 */
import { describe, expect, it } from 'vitest';
import { TaskManager, type HistoryEntry, type Task } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';
import { runTsx, type TsxRun } from './helpers/spawn-tsx.js';

cleanTempDirsAfterEach();

const run = (dir: string, args: string[]): Promise<TsxRun> => runTsx('src/cli/main.ts', ['--dir', dir, ...args]);

describe('CLI history', () => {
  it('records what the CLI changed and shows it newest first, per task, since a time, limited, as JSON', async () => {
    const dir = tempDir();
    const added = await run(dir, ['--json', 'add', 'Build\u001b[31m']);
    expect(added.code, added.stderr).toBe(0);
    const task = JSON.parse(added.stdout) as Task;
    expect((await run(dir, ['add', 'Other'])).code).toBe(0);
    const claimed = await run(dir, ['--json', 'claim', task.id, '--agent', 'agent-7', '--lease', '5m']);
    const token = (JSON.parse(claimed.stdout) as { claim: { token: number } }).claim.token;
    expect((await run(dir, ['status', task.id, 'done', '--token', String(token)])).code).toBe(0);
    // A refused late write leaves no entry.
    expect((await run(dir, ['status', task.id, 'doing', '--token', String(token + 5)])).code).toBe(1);

    const json = await run(dir, ['--json', 'history', task.id]);
    expect(json.code, json.stderr).toBe(0);
    const { entries, more } = JSON.parse(json.stdout) as { entries: HistoryEntry[]; more: boolean };
    expect(more).toBe(false);
    expect(entries.map((e) => [e.change.type, e.actor]).reverse()).toEqual([
      ['created', 'cli'],
      ['claim_taken', 'agent-7'],
      ['status_changed', 'agent-7'],
      ['status_changed', 'agent-7'],
    ]);
    expect(entries[0]?.change).toEqual({ type: 'status_changed', from: 'InProgress', to: 'Completed' });
    // The library reads the same history.
    expect(await new TaskManager(dir, { history: true }).history('default', { taskId: task.id })).toEqual(entries);

    const text = await run(dir, ['history']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(new RegExp(`^\\S+Z  #4  agent-7  ${task.id}  status in_progress → completed  \\(updateTaskStatus\\)$`));
    // Names from the data are escaped.
    expect(lines.at(-1)).toContain("created 'Build\\e[31m'");

    const limited = await run(dir, ['history', '--limit', '1', '--since', '1h']);
    expect(limited.stdout.trim().split('\n')).toEqual([lines[0], expect.stringMatching(/^… older entries not shown/)]);
    expect((await run(dir, ['history', '--since', '2999-01-01T00:00:00Z'])).stdout).toBe('No history.\n');
    const bad = await run(dir, ['history', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--since' must be an RFC 3339 time");
    expect((await run(dir, ['history', '--limit', '0'])).code).toBe(2);
  });
});
