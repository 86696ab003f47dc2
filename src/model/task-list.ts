/**
 * The in-memory task list of one session, with O(1) lookup by id and a children index.
 *
 * Task objects inside a list are treated as immutable: every change goes through
 * {@link TaskList.updateTask}, which puts a new object in place. That lets {@link TaskList.clone}
 * share tasks between the committed list and a transaction's working copy (an O(n) copy of
 * pointers, no deep copy), and lets the store cache each task's printed JSON by object.
 */
import { InvalidInputError, TaskNotFoundError, TaskSerializationError } from '../errors.js';
import { copyRawNumbers, transferRawNumbers } from '../json/raw-numbers.js';
import type { JsonValue } from '../json/value.js';
import type { TaskTreeNode } from '../schema/results.js';
import { TaskListSchema, type TaskListData } from '../schema/task-list.js';
import type { Task } from '../schema/task.js';
import { systemClock, advanceTimestamp, type Clock } from './clock.js';
import { buildTree, collectDescendants, dependencyPathExists } from './graph.js';
import { isBlocked } from './readiness.js';
import { formatZodIssue } from './zod-issues.js';

const NO_POSITIONS: readonly number[] = Object.freeze([]);

/** Fields of a task that {@link TaskList.updateTask} may change. */
export type TaskPatch = Partial<Omit<Task, 'id'>>;

/** One session's tasks, in list order, with the current-task pointer. */
export class TaskList {
  /** The session this list belongs to. */
  readonly sessionId: string;
  #tasks: Task[];
  /** id → position in #tasks of the first task with that id. */
  #pos: Map<string, number>;
  /** parent id (null for none) → positions of its children in list order; built on first use. */
  #children: Map<string | null, number[]> | null = null;
  /** True while #pos / #children may be shared with a clone: copy before changing in place. */
  #posShared = false;
  #childrenShared = false;
  /** Position arrays of #children that this list made itself and may append to in place. */
  #ownArrays = new WeakSet<number[]>();
  #current: string | null;
  /** Top-level keys of the file this list was read from that we do not know; written back as is. */
  #extra: Record<string, unknown>;
  /** Undo steps recorded while a savepoint is open (see {@link TaskList.savepoint}). */
  #undo: (() => void)[] | null = null;
  #savepoints = 0;

  /** An empty list for `sessionId`. */
  constructor(sessionId: string) {
    this.sessionId = sessionId;
    this.#tasks = [];
    this.#pos = new Map();
    this.#current = null;
    this.#extra = {};
  }

  /**
   * A list from its JSON form, validated against {@link TaskListSchema}. Invalid data is a
   * {@link TaskSerializationError} naming the field path (e.g. `tasks[3].status`).
   */
  static fromJSON(value: unknown): TaskList {
    const parsed = TaskListSchema.safeParse(value);
    if (!parsed.success) {
      const { text, path } = formatZodIssue(parsed.error);
      throw new TaskSerializationError(text, { fieldPath: path, cause: parsed.error });
    }
    transferRawNumbers(value, parsed.data);
    return TaskList.fromData(parsed.data);
  }

  /** Wraps already validated data (no copy). */
  static fromData(data: TaskListData): TaskList {
    const list = new TaskList(data.session_id);
    const { session_id: _s, tasks, current_task_id, ...extra } = data;
    list.#tasks = tasks;
    list.#current = current_task_id ?? null;
    list.#extra = extra;
    copyRawNumbers(data, list.#extra);
    list.#reindex();
    return list;
  }

  /** The JSON form: `{session_id, tasks, current_task_id?}` plus unknown keys read from the file. */
  toJSON(): TaskListData {
    const data: TaskListData = { session_id: this.sessionId, tasks: this.#tasks.slice(), current_task_id: this.#current };
    for (const key of Object.keys(this.#extra)) {
      if (!Object.hasOwn(data, key)) Object.defineProperty(data, key, { value: this.#extra[key], enumerable: true, writable: true, configurable: true });
    }
    copyRawNumbers(this.#extra, data);
    return data;
  }

  /**
   * A copy that shares task objects with this list; changes to either list do not show in the
   * other. O(n) in pointers.
   */
  clone(): TaskList {
    const copy = new TaskList(this.sessionId);
    copy.#tasks = this.#tasks.slice();
    // The index maps are shared copy-on-write (see #ownPos): a clone that only updates tasks, or
    // a read-only transaction, never copies them.
    copy.#pos = this.#pos;
    copy.#children = this.#children;
    copy.#posShared = this.#posShared = true;
    copy.#childrenShared = this.#childrenShared = true;
    this.#ownArrays = new WeakSet();
    copy.#current = this.#current;
    copy.#extra = this.#extra;
    return copy;
  }

  /** The tasks in list order. Read-only view: change tasks through the list's methods. */
  get tasks(): readonly Task[] {
    return this.#tasks;
  }

  /** Number of tasks. */
  get size(): number {
    return this.#tasks.length;
  }

  /** The current task id, or null. */
  currentTaskId(): string | null {
    return this.#current;
  }

  /** Points the current task at `id` (must be in the list) or clears it with null. */
  setCurrentTaskId(id: string | null): void {
    if (id !== null && !this.#pos.has(id)) {
      throw new InvalidInputError(`current_task_id '${id}' does not exist in task list`);
    }
    const previous = this.#current;
    this.#undo?.push(() => {
      this.#current = previous;
    });
    this.#current = id;
  }

  /** Appends a task. A task whose id is already in the list is refused. */
  addTask(task: Task): void {
    if (this.#pos.has(task.id)) {
      throw new InvalidInputError(`task id '${task.id}' already exists in session '${this.sessionId}'`);
    }
    this.#ownPos().set(task.id, this.#tasks.length);
    this.#tasks.push(task);
    this.#undo?.push(() => {
      this.#tasks.pop();
      this.#ownPos().delete(task.id);
      this.#children = null;
    });
    if (this.#children !== null) {
      // Appends to the parent's position array in place when this list made it, else copies it
      // once (a clone may share it): O(1) amortised, so adding n tasks is O(n).
      const index = this.#ownChildren();
      const key = task.parent_id ?? null;
      let positions = index.get(key);
      if (positions === undefined || !this.#ownArrays.has(positions)) {
        positions = positions === undefined ? [] : positions.slice();
        index.set(key, positions);
        this.#ownArrays.add(positions);
      }
      positions.push(this.#tasks.length - 1);
    }
  }

  /** The task with `id`, or null. O(1). */
  findTask(id: string): Task | null {
    const i = this.#pos.get(id);
    return i === undefined ? null : (this.#tasks[i] ?? null);
  }

  /** The task with `id`, or a {@link TaskNotFoundError}. O(1). */
  getTask(id: string): Task {
    const task = this.findTask(id);
    if (task === null) throw new TaskNotFoundError(id);
    return task;
  }

  /** True when a task with `id` is in the list. O(1). */
  hasTask(id: string): boolean {
    return this.#pos.has(id);
  }

  /**
   * Replaces task `id` with a copy carrying `patch`. With a `clock`, `updated_at` moves to the
   * clock's time (and never backwards). Returns the new task object. O(1).
   */
  updateTask(id: string, patch: TaskPatch, clock?: Clock): Task {
    const i = this.#pos.get(id);
    const old = i === undefined ? undefined : this.#tasks[i];
    if (i === undefined || old === undefined) throw new TaskNotFoundError(id);
    const next: Task = { ...old, ...patch, id: old.id };
    if (clock !== undefined) next.updated_at = advanceTimestamp(old.updated_at, clock.now());
    copyRawNumbers(old, next);
    this.#tasks[i] = next;
    this.#undo?.push(() => {
      this.#tasks[i] = old;
      this.#children = null;
    });
    if ('parent_id' in patch && patch.parent_id !== old.parent_id) this.#children = null;
    return next;
  }

  /**
   * Removes task `id` and returns it (null when missing). Clears the current pointer when it was on
   * the task and removes the id from other tasks' `blocked_by` (their `updated_at` moves when a
   * `clock` is given). Children keep their `parent_id` and show as roots in trees. O(n).
   */
  removeTask(id: string, clock?: Clock): Task | null {
    const i = this.#pos.get(id);
    const removed = i === undefined ? undefined : this.#tasks[i];
    if (i === undefined || removed === undefined) return null;
    this.#tasks.splice(i, 1);
    this.#reindex();
    const wasCurrent = this.#current;
    this.#undo?.push(() => {
      this.#tasks.splice(i, 0, removed);
      this.#reindex();
      this.#current = wasCurrent;
    });
    if (this.#current === id) this.#current = null;
    for (const task of this.#tasks) {
      if (task.blocked_by.includes(id)) {
        this.updateTask(task.id, { blocked_by: task.blocked_by.filter((b) => b !== id) }, clock);
      }
    }
    return removed;
  }

  /** Tasks without a parent, in list order. */
  rootTasks(): Task[] {
    return this.#tasks.filter((t) => t.parent_id === null);
  }

  /** Direct children of `parentId`, in list order. O(children) once the index is built. */
  subtasks(parentId: string): Task[] {
    return this.childrenOf(parentId);
  }

  /**
   * Positions in {@link TaskList.tasks} of the direct children of `parentId` (null: tasks without a
   * parent), in list order. The array is the index's own: read it, never change it. O(1).
   */
  childPositions(parentId: string | null): readonly number[] {
    return this.#childIndex().get(parentId) ?? NO_POSITIONS;
  }

  /** Position in {@link TaskList.tasks} of the task with `id` (its first occurrence), or -1. O(1). */
  positionOf(id: string): number {
    return this.#pos.get(id) ?? -1;
  }

  /** Direct children of `parentId` (null: tasks without a parent), list order. O(children). */
  childrenOf(parentId: string | null): Task[] {
    return this.childPositions(parentId).map((i) => this.#tasks[i] as Task);
  }

  /**
   * All descendants of `id`, depth-first pre-order, excluding `id`, children sorted by
   * (`sort_order`, `created_at`) at every level. Safe against cycles. Linear (plus sorting).
   * Throws {@link TaskNotFoundError} when `id` is missing.
   */
  descendants(id: string): Task[] {
    this.getTask(id);
    return collectDescendants(this, id);
  }

  /** True when any `blocked_by` id is missing from the list or not terminal (see readiness.ts). NotFound when `id` is missing. */
  isTaskBlocked(id: string): boolean {
    return isBlocked(this, this.getTask(id));
  }

  /**
   * Makes `taskId` wait for `blockerId`. Refuses a task blocking itself, a missing task or blocker,
   * and a cycle (checked in O(V+E)). A repeat is a no-op that returns false.
   */
  addDependency(taskId: string, blockerId: string, clock: Clock = systemClock): boolean {
    if (taskId === blockerId) throw new InvalidInputError('task cannot be blocked by itself');
    const task = this.getTask(taskId);
    this.getTask(blockerId);
    if (dependencyPathExists(this, blockerId, taskId)) {
      throw new InvalidInputError('dependency would create a cycle');
    }
    if (task.blocked_by.includes(blockerId)) return false;
    this.updateTask(taskId, { blocked_by: [...task.blocked_by, blockerId] }, clock);
    return true;
  }

  /**
   * The forest of tasks: roots are tasks with no parent or a parent not in the list, children
   * sorted by (`sort_order`, `created_at`). Every task appears exactly once; a task whose parent
   * chain loops is shown as a root. Linear (plus sorting).
   */
  buildTree(): TaskTreeNode[] {
    return buildTree(this);
  }

  /** The value of top-level key `key` of the file that is not a known key, or undefined. O(1). */
  extraValue(key: string): unknown {
    return Object.hasOwn(this.#extra, key) ? this.#extra[key] : undefined;
  }

  /** Sets top-level key `key` (not a known key) to `value`; undone by a rollback. O(keys). */
  setExtra(key: string, value: JsonValue): void {
    if (key === 'session_id' || key === 'tasks' || key === 'current_task_id') throw new InvalidInputError(`'${key}' is not an extra key`);
    const saved = this.#extra;
    this.#undo?.push(() => {
      this.#extra = saved;
    });
    const next: Record<string, unknown> = { ...saved };
    copyRawNumbers(saved, next);
    Object.defineProperty(next, key, { value, enumerable: true, writable: true, configurable: true });
    this.#extra = next;
  }

  /**
   * Replaces this list's tasks, pointer and unknown keys with those of `other` (same session).
   * Task objects are shared, as with {@link TaskList.clone}.
   */
  replaceWith(other: TaskList): void {
    if (other.sessionId !== this.sessionId) {
      throw new InvalidInputError(`task list of session '${other.sessionId}' cannot replace session '${this.sessionId}'`);
    }
    const saved = { tasks: this.#tasks, current: this.#current, extra: this.#extra };
    this.#undo?.push(() => {
      this.#tasks = saved.tasks;
      this.#current = saved.current;
      this.#extra = saved.extra;
      this.#reindex();
    });
    this.#tasks = other.#tasks.slice();
    this.#current = other.#current;
    this.#extra = other.#extra;
    this.#reindex();
  }

  /**
   * Opens a savepoint: changes from now on can be undone with {@link TaskList.rollback}. Returns a
   * marker; savepoints nest. Undo costs O(changes since the savepoint).
   */
  savepoint(): number {
    if (this.#undo === null) this.#undo = [];
    this.#savepoints++;
    return this.#undo.length;
  }

  /** Undoes every change made since the savepoint `marker`, then releases it. */
  rollback(marker: number): void {
    const undo = this.#undo;
    if (undo !== null) {
      while (undo.length > marker) (undo.pop() as () => void)();
    }
    this.release(marker);
  }

  /** Keeps the changes made since `marker` and closes the savepoint. */
  release(_marker: number): void {
    if (this.#savepoints === 0) return;
    this.#savepoints--;
    if (this.#savepoints === 0) this.#undo = null;
  }

  /** #pos, copied first if a clone shares it. */
  #ownPos(): Map<string, number> {
    if (this.#posShared) {
      this.#pos = new Map(this.#pos);
      this.#posShared = false;
    }
    return this.#pos;
  }

  /** #children (not null), copied first if a clone shares it. */
  #ownChildren(): Map<string | null, number[]> {
    if (this.#childrenShared && this.#children !== null) {
      this.#children = new Map(this.#children);
      this.#childrenShared = false;
    }
    return this.#children as Map<string | null, number[]>;
  }

  #reindex(): void {
    this.#posShared = false;
    this.#pos = new Map();
    for (let i = 0; i < this.#tasks.length; i++) {
      const id = (this.#tasks[i] as Task).id;
      if (!this.#pos.has(id)) this.#pos.set(id, i);
    }
    this.#children = null;
  }

  #childIndex(): Map<string | null, number[]> {
    if (this.#children === null) {
      const index = new Map<string | null, number[]>();
      for (let i = 0; i < this.#tasks.length; i++) {
        const key = (this.#tasks[i] as Task).parent_id ?? null;
        const positions = index.get(key);
        if (positions === undefined) {
          const fresh = [i];
          index.set(key, fresh);
          this.#ownArrays.add(fresh);
        } else positions.push(i);
      }
      this.#children = index;
      this.#childrenShared = false;
    }
    return this.#children;
  }
}
