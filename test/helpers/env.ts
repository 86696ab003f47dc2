/** Shared test helpers: temporary directories, deterministic managers, error assertions. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { steppingClock, TaskError, TaskManager, type TaskErrorKind, type TaskManagerOptions } from '../../src/index.js';

const created: string[] = [];

/** Removes every temporary directory made by {@link tempDir} after each test. */
export function cleanTempDirsAfterEach(): void {
  afterEach(() => {
    for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** A fresh temporary directory, removed after the test (with {@link cleanTempDirsAfterEach}). */
export function tempDir(prefix = 'gt-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Ids `id-1`, `id-2`, … */
export function counterIds(prefix = 'id-'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

/** A manager in a fresh temp dir with a stepping clock (1 µs steps) and counter ids. */
export function deterministicManager(options: TaskManagerOptions = {}): { manager: TaskManager; dir: string } {
  const dir = tempDir();
  const manager = new TaskManager(dir, {
    clock: steppingClock('2025-01-01T00:00:00Z', 1000n),
    newId: counterIds(),
    ...options,
  });
  return { manager, dir };
}

/** Awaits `promise` (or runs `fn`) and returns the TaskError it throws; fails if it does not throw one. */
export async function caught(work: Promise<unknown> | (() => unknown)): Promise<TaskError> {
  try {
    if (typeof work === 'function') await work();
    else await work;
  } catch (error) {
    expect(error).toBeInstanceOf(TaskError);
    return error as TaskError;
  }
  throw new Error('expected a TaskError, nothing was thrown');
}

/** Asserts `work` throws a TaskError of `kind` with exactly `message`. */
export async function expectTaskError(work: Promise<unknown> | (() => unknown), kind: TaskErrorKind, message: string): Promise<TaskError> {
  const error = await caught(work);
  expect({ kind: error.kind, message: error.message }).toEqual({ kind, message });
  return error;
}

/** The bytes of a file. */
export function readBytes(file: string): Buffer {
  return fs.readFileSync(file);
}

/** Path of a fixture file. */
export function fixturePath(name: string): string {
  return path.join(import.meta.dirname, '..', 'fixtures', name);
}

/** Copies fixture `name` (e.g. `rust-tree-deps`) into `<dir>/.gestura/tasks/<name>.json`; returns the path. */
export function installFixture(dir: string, name: string): string {
  const tasksDir = path.join(dir, '.gestura', 'tasks');
  fs.mkdirSync(tasksDir, { recursive: true });
  const target = path.join(tasksDir, `${name}.json`);
  fs.copyFileSync(fixturePath(`${name}.json`), target);
  fs.chmodSync(target, 0o644);
  return target;
}
