/**
 * The task tree as JSON text without recursion: `JSON.stringify` of a nested tree overflows the
 * stack at a few thousand levels, and indentation would make deep trees quadratic in size. The
 * output is compact (no whitespace) and exactly `JSON.stringify(forest)`, except that numbers
 * keep the text they were read with (64-bit integers in metadata are not rounded). O(total output).
 */
import type { TaskTreeNode } from '../index.js';
import { stringifyExact } from './exact-numbers.js';

/** `[{"task":{…},"children":[…]},…]` for `forest`, in pieces handed to `write` (each ≤ ~1 MB). */
export function writeTreeJson(forest: readonly TaskTreeNode[], write: (chunk: string) => void): void {
  let buffer: string[] = [];
  let size = 0;
  const push = (s: string): void => {
    buffer.push(s);
    size += s.length;
    if (size >= 1 << 20) {
      write(buffer.join(''));
      buffer = [];
      size = 0;
    }
  };
  // Each entry: a node to open, or the text that closes one.
  const stack: (TaskTreeNode | string)[] = [];
  push('[');
  for (let i = forest.length - 1; i >= 0; i--) {
    stack.push(i === forest.length - 1 ? ']' : ',');
    stack.push(forest[i] as TaskTreeNode);
  }
  if (forest.length === 0) stack.push(']');
  while (stack.length > 0) {
    const item = stack.pop() as TaskTreeNode | string;
    if (typeof item === 'string') {
      push(item);
      continue;
    }
    push(`{"task":${stringifyExact(item.task)},"children":[`);
    const children = item.children;
    if (children.length === 0) {
      push(']}');
      continue;
    }
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push(i === children.length - 1 ? ']}' : ',');
      stack.push(children[i] as TaskTreeNode);
    }
  }
  if (buffer.length > 0) write(buffer.join(''));
}
