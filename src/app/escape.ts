/**
 * Escaping untrusted text for terminals and other human-readable output. Task names, ids,
 * descriptions and error messages come from files and agents; printed raw, a newline forges a line,
 * ESC/OSC sequences recolour the terminal or change its title, and bidi overrides reorder what the
 * reader sees. Every human-readable output of the CLI and the MCP text results goes through here;
 * JSON output never does (it is exact).
 */

/** Characters that must not reach a terminal as they are. */
// C0 controls, DEL, C1 controls, line/paragraph separators, bidi marks, embeddings, overrides and
// isolates (they reorder what the reader sees).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same without the line feed, for text whose lines are meant to be lines.
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEP_NEWLINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` on one line with every control character shown as an escape (`\n`, `\e`, `\x07`,
 * `\u202e`, …). Printable text, including non-ASCII, is unchanged. O(length).
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Like {@link escapeText}, but line feeds stay line feeds (descriptions, error messages). */
export function escapeLines(text: string): string {
  return text.replace(UNSAFE_KEEP_NEWLINES, visible);
}
