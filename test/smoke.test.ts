import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskManager } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('smoke', () => {
  it('creates a task and reads it back from a second manager', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-smoke-'));
    dirs.push(dir);
    const a = new TaskManager(dir);
    const task = await a.createTask('s', 'Write code', 'desc');
    const b = new TaskManager(dir);
    expect(await b.getTask('s', task.id)).toEqual(task);
  });
});
