/**
 * Which task rows a commit writes. Each task of a session is one row keyed by its position (a
 * sparse integer: the rows in position order are the list in order). A commit compares the new
 * list with the list it read by task object (tasks are immutable inside a list, so the same object
 * means an unchanged task): unchanged tasks keep their rows, every other task gets a row, and rows
 * of tasks that left are removed. O(n) pointer compares (one Map of the old list only when tasks
 * moved or were removed), O(changed) rows to write; only a move or an insertion with no room left
 * between its neighbours renumbers all rows.
 */
import type { Task } from '../../schema/task.js';

/** Room left between the positions of consecutive tasks when positions are handed out. */
export const POSITION_GAP = 1024;

/** The rows one commit writes. */
export interface RowPlan {
  /** The position of each task of the new list, in list order (increasing). */
  readonly positions: number[];
  /** Indexes into the new list of the tasks whose rows are written (new or changed tasks). */
  readonly written: number[];
  /** Positions of rows removed (tasks no longer in the list, positions not reused). */
  readonly removed: number[];
}

/**
 * The plan for storing `next` over `basis` (whose tasks sit at `basisPositions`, increasing).
 * Positions of removed rows are reused, in order, for new tasks in the same gap, so a changed task
 * keeps its row (one upsert); a task added at the end takes the last position plus
 * {@link POSITION_GAP}. O(n + m).
 */
export function planRows(basis: readonly Task[], basisPositions: readonly number[], next: readonly Task[]): RowPlan {
  const m = basis.length;
  const n = next.length;
  // kept[i]: the index in `basis` of next[i] when it is kept (strictly increasing), else -1.
  const kept = new Int32Array(n).fill(-1);
  let j = 0;
  let index: Map<Task, number> | null = null;
  for (let i = 0; i < n; i++) {
    const task = next[i] as Task;
    if (j < m && basis[j] === task) {
      kept[i] = j++;
      continue;
    }
    // The same task changed in place (the usual commit): it gets a new row at its old position
    // (reused below), with no index of the old list.
    if (j < m && (basis[j] as Task).id === task.id) {
      j++;
      continue;
    }
    index ??= new Map(basis.map((t, k) => [t, k]));
    const at = index.get(task);
    if (at !== undefined && at >= j) {
      kept[i] = at;
      j = at + 1;
    }
  }
  const positions = new Array<number>(n);
  const written: number[] = [];
  const removed: number[] = [];
  let previousKept = -1; // index in basis of the last kept task
  let i = 0;
  while (i < n) {
    if (kept[i] !== -1) {
      const k = kept[i] as number;
      for (let r = previousKept + 1; r < k; r++) removed.push(basisPositions[r] as number);
      positions[i] = basisPositions[k] as number;
      previousKept = k;
      i++;
      continue;
    }
    // A run of new tasks next[i..end), between basis rows previousKept and nextKept.
    let end = i;
    while (end < n && kept[end] === -1) end++;
    const nextKept = end < n ? (kept[end] as number) : m;
    const low = previousKept >= 0 ? (basisPositions[previousKept] as number) : 0;
    const high = nextKept < m ? (basisPositions[nextKept] as number) : Infinity;
    // Rows of the old list in this gap were removed: their positions go to the new tasks first.
    let reuse = previousKept + 1;
    let last = low;
    for (let t = i; t < end; t++) {
      if (reuse < nextKept) {
        last = basisPositions[reuse++] as number;
      } else {
        const left = end - t;
        const room = high === Infinity ? POSITION_GAP : Math.floor((high - last) / (left + 1));
        if (room < 1) return renumbered(basisPositions, n);
        last += room;
      }
      positions[t] = last;
      written.push(t);
    }
    for (let r = reuse; r < nextKept; r++) removed.push(basisPositions[r] as number);
    previousKept = nextKept - 1; // the rows up to the next kept one are accounted for
    i = end;
  }
  for (let r = previousKept + 1; r < m; r++) removed.push(basisPositions[r] as number);
  return { positions, written, removed };
}

/** Every task rewritten at fresh, evenly spaced positions; every old row not reused removed. O(n + m). */
function renumbered(basisPositions: readonly number[], n: number): RowPlan {
  const positions = Array.from({ length: n }, (_, i) => (i + 1) * POSITION_GAP);
  const taken = new Set(positions);
  return {
    positions,
    written: positions.map((_, i) => i),
    removed: basisPositions.filter((p) => !taken.has(p)),
  };
}
