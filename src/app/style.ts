/**
 * Status marks and optional ANSI colour for human-readable output. Colour is the caller's choice
 * (the CLI: a TTY without NO_COLOR; the MCP server: never).
 */
import type { TaskStatus } from '../index.js';

/** ANSI styling, or none. The text given is already escaped (see escape.ts). */
export interface Style {
  readonly enabled: boolean;
  status(status: TaskStatus, text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  gray: '\u001b[90m',
} as const;

const STATUS_COLOR: Record<TaskStatus, string> = {
  NotStarted: ANSI.cyan,
  InProgress: ANSI.yellow,
  Blocked: ANSI.red,
  Completed: ANSI.green,
  Cancelled: ANSI.gray,
};

/** One-character marks per status. */
export const STATUS_MARK: Record<TaskStatus, string> = {
  NotStarted: '○',
  InProgress: '◐',
  Blocked: '⊘',
  Completed: '✓',
  Cancelled: '✗',
};

/** Plain text, no escapes. */
export const plainStyle: Style = {
  enabled: false,
  status: (_s, text) => text,
  dim: (text) => text,
  bold: (text) => text,
};

/** ANSI colours. */
export const colorStyle: Style = {
  enabled: true,
  status: (s, text) => `${STATUS_COLOR[s]}${text}${ANSI.reset}`,
  dim: (text) => `${ANSI.dim}${text}${ANSI.reset}`,
  bold: (text) => `${ANSI.bold}${text}${ANSI.reset}`,
};

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function pickStyle(isTTY: boolean | undefined, env: Record<string, string | undefined>): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return isTTY === true && !noColor ? colorStyle : plainStyle;
}

/** `1234567` → `1,234,567`. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1 task` / `2 tasks`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${count(n)} ${n === 1 ? word : many}`;
}
