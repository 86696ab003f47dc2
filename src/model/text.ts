/**
 * Text rules shared by every model rule that trims, splits on whitespace or lower-cases, so that
 * edge cases give what the original Rust code gives (see docs/ on parity):
 * - whitespace is Unicode White_Space, as Rust's `char::is_whitespace`: U+0085 (NEL) IS
 *   whitespace, U+FEFF (BOM) is NOT. JavaScript's `trim()` and `\s` differ on exactly these two;
 * - lower-casing is ASCII-only (`A`–`Z`), as Rust's `to_ascii_lowercase`: `Ü` stays `Ü`.
 * All functions are O(length) with no regular-expression backtracking.
 */

/** True for a UTF-16 code unit that Rust's `char::is_whitespace` accepts (all are in the BMP). */
function isRustWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** `s` without leading and trailing whitespace, as Rust's `str::trim`. */
export function rustTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isRustWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isRustWhitespace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** True when `s` is empty or only whitespace (Rust: `s.trim().is_empty()`). */
export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isRustWhitespace(s.charCodeAt(i))) return false;
  return true;
}

/** The words of `s` joined by one space (Rust: `s.split_whitespace().collect::<Vec<_>>().join(" ")`). */
export function collapseWhitespace(s: string): string {
  const words: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && isRustWhitespace(s.charCodeAt(i))) i++;
    const start = i;
    while (i < s.length && !isRustWhitespace(s.charCodeAt(i))) i++;
    if (i > start) words.push(s.slice(start, i));
  }
  return words.join(' ');
}

/** `s` with `A`–`Z` lower-cased and everything else unchanged (Rust: `to_ascii_lowercase`). */
export function asciiLowercase(s: string): string {
  return s.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}
