/**
 * The agent tool's status parser. More forgiving than `parseTaskStatus` (which keeps the Rust
 * `FromStr` aliases for the library API): it reads what models write, such as `In Progress`,
 * `done!` or `mark it finished`.
 */
import { TaskStatus } from '../schema/enums.js';

const EXACT: ReadonlyMap<string, TaskStatus> = new Map<string, TaskStatus>([
  ['notstarted', TaskStatus.NotStarted],
  ['not_started', TaskStatus.NotStarted],
  ['todo', TaskStatus.NotStarted],
  ['blocked', TaskStatus.Blocked],
  ['waiting', TaskStatus.Blocked],
  ['inprogress', TaskStatus.InProgress],
  ['in_progress', TaskStatus.InProgress],
  ['started', TaskStatus.InProgress],
  ['running', TaskStatus.InProgress],
  ['active', TaskStatus.InProgress],
  ['completed', TaskStatus.Completed],
  ['complete', TaskStatus.Completed],
  ['done', TaskStatus.Completed],
  ['finished', TaskStatus.Completed],
  ['cancelled', TaskStatus.Cancelled],
  ['canceled', TaskStatus.Cancelled],
]);

/** The words of `text`: ASCII-lower-cased, every run of characters other than `a-z0-9` a separator. */
function words(text: string): string[] {
  return text
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/**
 * Reads a status the way the original agent tool does: the words joined by `_` must be an exact
 * form (`notstarted`, `not_started`, `todo`, `blocked`, `waiting`, `inprogress`, `in_progress`,
 * `started`, `running`, `active`, `completed`, `complete`, `done`, `finished`, `cancelled`,
 * `canceled`); else the word pairs `not started` / `in progress` anywhere; else the first single
 * word that is one of those forms. Null when nothing matches.
 */
export function parseAgentStatus(text: string): TaskStatus | null {
  const ws = words(text);
  const exact = EXACT.get(ws.join('_'));
  if (exact !== undefined) return exact;
  for (let i = 0; i + 1 < ws.length; i++) {
    if (ws[i] === 'not' && ws[i + 1] === 'started') return TaskStatus.NotStarted;
    if (ws[i] === 'in' && ws[i + 1] === 'progress') return TaskStatus.InProgress;
  }
  for (const w of ws) {
    const status = EXACT.get(w);
    if (status !== undefined) return status;
  }
  return null;
}

/**
 * A status named in a phrase such as `status: done`, `status=completed` or `set status to in
 * progress` inside free text, or null.
 */
export function statusFromPhrase(text: string): TaskStatus | null {
  const pattern = /\bstatus\b["']?\s*(?:[:=]|->|→|\bto\b|\bis\b|\bas\b)?\s*["']?([A-Za-z][A-Za-z_-]*(?:[ \t]+[A-Za-z][A-Za-z_-]*)?)/gi;
  for (const match of text.matchAll(pattern)) {
    const phrase = match[1] ?? '';
    const status = parseAgentStatus(phrase);
    if (status !== null) return status;
  }
  return null;
}
