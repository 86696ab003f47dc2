/** B1/B2 across real processes: 4 child processes × 25 creates on one session lose nothing. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TaskManager } from '../src/index.js';
import { cleanTempDirsAfterEach, tempDir } from './helpers/env.js';

cleanTempDirsAfterEach();

const WORKER = path.join(import.meta.dirname, 'helpers', 'create-worker.ts');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('concurrent writer processes', () => {
  it('4 processes × 25 creates (+ a shared read-modify-write each time) on one session: every update is there', async () => {
    const dir = tempDir('gt-procs-');
    const manager = new TaskManager(dir);
    const shared = await manager.createTask('shared', 'Shared', 'every worker makes me wait for its tasks');
    const env = { ...process.env, GESTURA_HOME_DIR: dir };
    const results = await Promise.all(
      ['w0', 'w1', 'w2', 'w3'].map((prefix, i) => run([dir, 'shared', prefix, '25', shared.id, i % 2 === 0 ? 'local' : 'global'], env)),
    );
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    // The parent's own manager (with its cache) sees every write of the children (B2).
    const tasks = await manager.listTasks('shared');
    const expected = ['w0', 'w1', 'w2', 'w3'].flatMap((p) => Array.from({ length: 25 }, (_, i) => `${p}-${i}`));
    expect(tasks.filter((t) => t.id !== shared.id).map((t) => t.name).sort()).toEqual(expected.sort());
    const blockedBy = (await manager.getTask('shared', shared.id))!.blocked_by;
    expect(blockedBy).toHaveLength(100);
    expect(new Set(blockedBy)).toEqual(new Set(tasks.filter((t) => t.id !== shared.id).map((t) => t.id)));
    // Each process kept its own order.
    for (const p of ['w0', 'w1', 'w2', 'w3']) {
      const own = tasks.filter((t) => t.name.startsWith(`${p}-`)).map((t) => Number(t.name.split('-')[1]));
      expect(own).toEqual(Array.from({ length: 25 }, (_, i) => i));
    }
  }, 60_000);
});
