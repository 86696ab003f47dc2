/**
 * Campaign item 3: a file that cannot be read gives the right TaskError, naming the file (and the
 * field path for schema errors), is never overwritten or treated as empty, and the other sessions
 * keep working (README guarantee 5).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  TaskIoError,
  TaskList,
  TaskManager,
  TaskSerializationError,
  type TaskError,
} from '../../src/index.js';
import { removeTempDirs, startWorker, tempDir, tsxLauncher } from './harness.js';

afterAll(removeTempDirs);

type ErrorClass = typeof TaskSerializationError | typeof TaskIoError;

interface Case {
  readonly name: string;
  /** Damages the session file at `file` (whose valid text is `valid`). */
  readonly damage: (file: string, valid: string) => void;
  readonly error: ErrorClass;
  /** The field path a schema error must carry. */
  readonly fieldPath?: string;
  /** Text the message must contain besides the file name. */
  readonly mentions?: string;
}

function editJson(fn: (doc: { tasks: Record<string, unknown>[] } & Record<string, unknown>) => void) {
  return (file: string, valid: string): void => {
    const doc = JSON.parse(valid) as { tasks: Record<string, unknown>[] } & Record<string, unknown>;
    fn(doc);
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  };
}

const CASES: Case[] = [
  { name: 'truncated JSON', damage: (f, v) => fs.writeFileSync(f, v.slice(0, Math.floor(v.length / 2))), error: TaskSerializationError },
  { name: 'truncated to one byte', damage: (f) => fs.writeFileSync(f, '{'), error: TaskSerializationError },
  { name: 'invalid JSON', damage: (f) => fs.writeFileSync(f, '{"session_id": "victim", "tasks": [,]}'), error: TaskSerializationError },
  { name: 'trailing garbage', damage: (f, v) => fs.writeFileSync(f, `${v}\n}{`), error: TaskSerializationError },
  { name: 'NUL bytes', damage: (f, v) => fs.writeFileSync(f, Buffer.alloc(v.length)), error: TaskSerializationError },
  {
    name: 'bytes that are not UTF-8',
    damage: (f, v) => {
      const bytes = Buffer.from(v);
      const at = bytes.indexOf('first');
      bytes[at + 2] = 0xff;
      bytes[at + 3] = 0xfe;
      fs.writeFileSync(f, bytes);
    },
    error: TaskSerializationError,
    mentions: 'UTF-8',
  },
  { name: 'wrong type: status is a number', damage: editJson((d) => void (d.tasks[0]!.status = 42)), error: TaskSerializationError, fieldPath: 'tasks[0].status' },
  { name: 'wrong type: unknown status', damage: editJson((d) => void (d.tasks[1]!.status = 'Done')), error: TaskSerializationError, fieldPath: 'tasks[1].status' },
  { name: 'wrong type: tasks is an object', damage: editJson((d) => void (d.tasks = {} as never)), error: TaskSerializationError, fieldPath: 'tasks' },
  { name: 'null blocked_by (Rust refuses it)', damage: editJson((d) => void (d.tasks[0]!.blocked_by = null)), error: TaskSerializationError, fieldPath: 'tasks[0].blocked_by' },
  { name: 'null sort_order', damage: editJson((d) => void (d.tasks[1]!.sort_order = null)), error: TaskSerializationError, fieldPath: 'tasks[1].sort_order' },
  { name: 'sort_order beyond int32', damage: editJson((d) => void (d.tasks[1]!.sort_order = 2 ** 31)), error: TaskSerializationError, fieldPath: 'tasks[1].sort_order' },
  { name: 'bad timestamp', damage: editJson((d) => void (d.tasks[0]!.created_at = 'yesterday')), error: TaskSerializationError, fieldPath: 'tasks[0].created_at' },
  { name: 'missing required key: name', damage: editJson((d) => void delete d.tasks[1]!.name), error: TaskSerializationError, fieldPath: 'tasks[1].name' },
  { name: 'missing required key: session_id', damage: editJson((d) => void delete d.session_id), error: TaskSerializationError, fieldPath: 'session_id' },
  { name: 'top level is an array', damage: (f) => fs.writeFileSync(f, '[]'), error: TaskSerializationError },
  {
    name: 'merge-conflict markers',
    damage: (f, v) => fs.writeFileSync(f, `<<<<<<< HEAD\n${v}\n=======\n${v}\n>>>>>>> branch\n`),
    error: TaskSerializationError,
    mentions: 'merge conflict',
  },
  { name: 'empty file', damage: (f) => fs.writeFileSync(f, ''), error: TaskSerializationError, mentions: 'empty' },
  { name: 'whitespace only', damage: (f) => fs.writeFileSync(f, ' \n\t\n'), error: TaskSerializationError },
  {
    name: 'a directory where the file should be',
    damage: (f) => {
      fs.rmSync(f);
      fs.mkdirSync(f);
      fs.writeFileSync(path.join(f, 'inside.txt'), 'keep me');
    },
    error: TaskIoError,
  },
  {
    name: 'a symbolic link where the file should be',
    damage: (f, v) => {
      const target = path.join(path.dirname(f), '..', 'elsewhere.json');
      fs.writeFileSync(target, v);
      fs.rmSync(f);
      fs.symlinkSync(target, f);
    },
    error: TaskIoError,
  },
];

/** Bytes (or, for a directory or link, a description) of what is at `file`. */
function fingerprint(file: string): string {
  const st = fs.lstatSync(file);
  if (st.isSymbolicLink()) return `link:${fs.readlinkSync(file)}:${fs.readFileSync(file).toString('hex')}`;
  if (st.isDirectory()) return `dir:${fs.readdirSync(file).join(',')}:${fs.readFileSync(path.join(file, 'inside.txt'), 'utf8')}`;
  return `file:${st.mode}:${fs.readFileSync(file).toString('hex')}`;
}

async function seed(baseDir: string): Promise<{ file: string; valid: string; ids: string[] }> {
  const m = new TaskManager(baseDir);
  const a = await m.createTask('victim', 'first', 'one');
  const b = await m.createTask('victim', 'second', 'two', a.id);
  await m.addTaskDependency('victim', b.id, a.id);
  const file = m.sessionPath('victim');
  return { file, valid: fs.readFileSync(file, 'utf8'), ids: [a.id, b.id] };
}

function expectTaskError(error: unknown, c: Case, file: string): void {
  expect(error, c.name).toBeInstanceOf(c.error);
  const e = error as TaskError & { path?: string; fieldPath?: string };
  expect(e.message).toContain(file);
  expect(e.path).toBe(file);
  if (c.fieldPath !== undefined) {
    expect(e.fieldPath).toBe(c.fieldPath);
    expect(e.message).toContain(c.fieldPath);
  }
  if (c.mentions !== undefined) expect(e.message).toContain(c.mentions);
}

describe('corrupt session files', () => {
  it.each(CASES)('$name: right error, file untouched, other sessions fine', async (c) => {
    const baseDir = tempDir('corrupt');
    const { file, valid, ids } = await seed(baseDir);
    const cached = new TaskManager(baseDir);
    expect(await cached.listTasks('victim')).toHaveLength(2); // a manager that had the good version cached
    c.damage(file, valid);
    const before = fingerprint(file);

    const managers = [cached, new TaskManager(baseDir)];
    for (const m of managers) {
      const attempts: [string, () => Promise<unknown>][] = [
        ['listTasks', () => m.listTasks('victim')],
        ['getTask', () => m.getTask('victim', ids[0]!)],
        ['loadTaskList', () => m.loadTaskList('victim')],
        ['createTask', () => m.createTask('victim', 'new', 'would overwrite')],
        ['updateTaskStatus', () => m.updateTaskStatus('victim', ids[0]!, 'InProgress')],
        ['deleteTask', () => m.deleteTask('victim', ids[1]!)],
        ['batch', () => m.batch('victim', (tx) => tx.createTask('in batch', 'x'))],
        ['replaceTaskList', () => m.replaceTaskList('victim', new TaskList('victim'))],
      ];
      for (const [what, attempt] of attempts) {
        const error = await attempt().then(
          () => new Error(`${what} succeeded on a corrupt file`),
          (e: unknown) => e,
        );
        expectTaskError(error, c, file);
        expect(fingerprint(file), `${what} changed the file`).toBe(before);
      }
    }
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    expect(fs.readdirSync(path.dirname(file)).filter((n) => /\.json\.\d+$/.test(n))).toEqual([]);

    // Other sessions keep working, through the same managers.
    for (const m of managers) {
      const t = await m.createTask('bystander', 'still works', 'yes');
      expect((await new TaskManager(baseDir).getTask('bystander', t.id))?.name).toBe('still works');
    }
    expect(fingerprint(file)).toBe(before);
  });
});

describe('file permissions (run as an unprivileged user when the tests run as root)', () => {
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const unsupported = process.platform === 'win32';

  async function probe(baseDir: string, action: 'read' | 'write'): Promise<Record<string, unknown>> {
    const worker = startWorker(tsxLauncher('io-probe'), { baseDir, session: 'victim', action }, asUser);
    const line = await worker.waitForLine((l) => l.startsWith('{'));
    await worker.exited;
    return JSON.parse(line) as Record<string, unknown>;
  }

  function openUp(baseDir: string, tasksMode: number): void {
    fs.chmodSync(baseDir, 0o755);
    fs.chmodSync(path.join(baseDir, '.gestura'), 0o755);
    fs.chmodSync(path.join(baseDir, '.gestura', 'tasks'), tasksMode);
  }

  it.skipIf(unsupported)('no permission to read: TaskIoError naming the file, for reads and writes; file unchanged', { timeout: 60_000 }, async () => {
    const baseDir = tempDir('noread');
    const { file } = await seed(baseDir);
    openUp(baseDir, 0o777);
    fs.chmodSync(file, 0o000);
    const before = fingerprint(file);
    for (const action of ['read', 'write'] as const) {
      const outcome = await probe(baseDir, action);
      expect(outcome, action).toMatchObject({ ok: false, isTaskError: true, name: 'TaskIoError', path: file });
      expect(String(outcome.message)).toContain(file);
      expect(fingerprint(file)).toBe(before);
    }
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it.skipIf(unsupported)('no permission to write: reads work, writes give a TaskIoError naming the file; file unchanged', { timeout: 60_000 }, async () => {
    const baseDir = tempDir('nowrite');
    const { file } = await seed(baseDir);
    openUp(baseDir, 0o755);
    fs.chmodSync(file, 0o644);
    if (process.getuid?.() !== 0) fs.chmodSync(path.dirname(file), 0o555);
    const before = fingerprint(file);
    expect(await probe(baseDir, 'read')).toEqual({ ok: true });
    const outcome = await probe(baseDir, 'write');
    expect(outcome).toMatchObject({ ok: false, isTaskError: true, name: 'TaskIoError', path: file });
    expect(String(outcome.message)).toContain(file);
    expect(fingerprint(file)).toBe(before);
    fs.chmodSync(path.dirname(file), 0o755);
  });
});
