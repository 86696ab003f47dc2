/**
 * Token counting for context budgets.
 *
 * The library ships no tokenizer: real BPE vocabularies are tens of megabytes (`gpt-tokenizer`
 * unpacks to ~55 MB, `js-tiktoken` to ~22 MB), too heavy for an embeddable dependency. Instead
 * {@link estimateTokens} is a deliberately pessimistic estimate, and every budgeted function takes
 * a `countTokens` option so a caller with a real tokenizer gets an exact bound.
 *
 * The estimate charges, per piece of text:
 * - a plain word (`word`, `Word`, or up to 3 capitals): 1 token up to 2 letters, else ⌈letters/3⌉ + 1;
 * - any other run of ASCII letters (mixed case such as ids, long capitals): 1 token per letter;
 * - a run of digits: 1 token per 3 digits (rounded up);
 * - a run of spaces or tabs: 1 token per 4 (rounded up); a line break: 1 token;
 * - any other ASCII character: 1 token; any other character: 1 token per UTF-8 byte.
 * Byte-level BPE tokenizers never use more tokens than UTF-8 bytes, and the per-piece rates sit
 * above what the o200k_base and cl100k_base vocabularies use for English words, ids and digits
 * (measured; the test suite keeps a table of real counts). Random lower-case letter strings can
 * beat it; pass a real tokenizer when that matters.
 */

/** Counts the tokens of a text. Must be deterministic; should be additive enough that appending text never lowers the count. */
export type TokenCounter = (text: string) => number;

const PIECE = /[A-Za-z]+|[0-9]+|[ \t]+|[^A-Za-z0-9 \t]/gu;
const PLAIN_WORD = /^(?:[A-Z]?[a-z]+|[A-Z]{1,3})$/;

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/** The conservative token estimate described in this module's comment. O(length). */
export function estimateTokens(text: string): number {
  let total = 0;
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    const first = piece.charCodeAt(0);
    if ((first >= 65 && first <= 90) || (first >= 97 && first <= 122)) {
      if (PLAIN_WORD.test(piece)) total += piece.length <= 2 ? 1 : Math.ceil(piece.length / 3) + 1;
      else total += piece.length;
    } else if (first >= 48 && first <= 57) {
      total += Math.ceil(piece.length / 3);
    } else if (first === 32 || first === 9) {
      total += Math.ceil(piece.length / 4);
    } else if (first < 0x80) {
      total += 1;
    } else {
      total += utf8Length(piece.codePointAt(0) ?? 0);
    }
  }
  return total;
}
