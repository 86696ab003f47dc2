/**
 * JSON text to values, keeping the exact text of numbers a JavaScript `number` would change, and
 * refusing documents nested deeper than {@link MAX_DOCUMENT_DEPTH} levels.
 *
 * `parseJsonText` uses the native `JSON.parse` when every number in the text is printed back
 * identically by JavaScript (the common case) and then checks the nesting depth with an iterative
 * walk; otherwise (and to report any error with a line and column) it uses the iterative parser
 * below, which records the source text of each non-canonical number in the raw-number registry and
 * stops at the first level too deep. Nothing here recurses on the input's depth; everything is
 * linear in the length of the text.
 */
import { noteProtoKey, setRawNumber } from './raw-numbers.js';
import { MAX_DOCUMENT_DEPTH, depthReason, exceedsDepth, pathOf, textExceedsDepth } from './depth.js';

/** A syntax error in JSON text, with a 1-based line and column. */
export class JsonSyntaxError extends Error {
  /** 1-based line of the offending character. */
  readonly line: number;
  /** 1-based column of the offending character. */
  readonly column: number;
  /** Field path of the offending value when known (nesting too deep), e.g. `tasks[0].metadata.a`. */
  readonly path: string | undefined;

  constructor(reason: string, line: number, column: number, path?: string) {
    super(`${reason} at line ${line} column ${column}`);
    this.name = 'JsonSyntaxError';
    this.line = line;
    this.column = column;
    this.path = path;
  }
}

/**
 * Number tokens that may not survive `String(Number(token))`: a fraction or exponent, 16 or more
 * digits, or negative zero, right after `":` (a member's colon always follows its key's closing
 * quote), `[` or `,`. Requiring the quote keeps timestamps such as `"…T10:20:30.123Z"` (whose
 * `:30.1` is inside a string) from sending every task file to the slower parser. False positives
 * (such text inside a string) only cost the slower parser, never correctness.
 */
const SUSPICIOUS_NUMBER = /(?:"\s*:|[[,])\s*(?:-?\d+[.eE]|-?\d{16}|-0(?![\d.eE]))/;

/** Options of {@link parseJsonText}. */
export interface ParseOptions {
  /** Deepest nesting of arrays and objects accepted (default {@link MAX_DOCUMENT_DEPTH}). */
  readonly maxDepth?: number;
  /**
   * Text from outside (a planner's reply): scan its nesting before the native parser runs, so a
   * nesting bomb is refused after reading at most `maxDepth` brackets instead of being built first.
   * Costs one extra pass over the text, which task files (written by us) do not need.
   */
  readonly untrusted?: boolean;
}

/**
 * Parses JSON text; non-canonical numbers keep their source text (see raw-numbers.ts). Text nested
 * deeper than `maxDepth` levels is a {@link JsonSyntaxError} naming the path and the depth.
 * O(length of the text).
 */
export function parseJsonText(text: string, options: ParseOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? MAX_DOCUMENT_DEPTH;
  // A `__proto__` key, possibly spelled with escapes: schema validation drops those (see raw-numbers.ts).
  if (text.includes('_proto') || text.includes('\\u')) noteProtoKey();
  const nativeParserFits = !SUSPICIOUS_NUMBER.test(text) && !/^\s*-?\d/.test(text);
  if (nativeParserFits && !(options.untrusted === true && textExceedsDepth(text, maxDepth))) {
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch {
      // Fall through: the exact parser reports the error with its line and column.
    }
    if (parsed && !exceedsDepth(value, maxDepth)) return value;
  }
  return new LosslessParser(text, maxDepth).parseDocument();
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BACKSLASH = 0x5c;

/** An open array or object while parsing, with the key (or index) of the value being read. */
interface Frame {
  readonly container: Record<string, unknown> | unknown[];
  readonly isArray: boolean;
  key: string;
}

/**
 * An iterative recursive-descent parser: open containers live on an explicit stack, so depth costs
 * heap, never call stack. O(length of the text).
 */
class LosslessParser {
  private pos = 0;
  private readonly stack: Frame[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): unknown {
    const holder: Record<string, unknown> = {};
    const t = this.text;
    let value: unknown;
    for (;;) {
      // Read one value; containers push a frame and continue with their first member.
      this.skipWs();
      if (this.pos >= t.length) this.fail('unexpected end of input');
      const c = t.charCodeAt(this.pos);
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        const isArray = c === OPEN_BRACKET;
        if (this.stack.length >= this.maxDepth) this.failDepth();
        this.pos++;
        this.skipWs();
        const container: Record<string, unknown> | unknown[] = isArray ? [] : {};
        if (t.charCodeAt(this.pos) === (isArray ? CLOSE_BRACKET : CLOSE_BRACE)) {
          this.pos++;
          value = container;
        } else {
          const frame: Frame = { container, isArray, key: '0' };
          this.stack.push(frame);
          if (!isArray) frame.key = this.parseKey();
          continue;
        }
      } else {
        const top = this.stack[this.stack.length - 1];
        value = this.parseScalar(c, top === undefined ? holder : top.container, top === undefined ? '' : top.key);
      }
      // Store the finished value in its container; close containers that end here.
      for (;;) {
        const top = this.stack[this.stack.length - 1];
        if (top === undefined) {
          this.skipWs();
          if (this.pos < t.length) this.fail('unexpected trailing characters');
          return value;
        }
        if (top.isArray) {
          (top.container as unknown[]).push(value);
        } else {
          // defineProperty keeps a key named "__proto__" an own data property, as JSON.parse does.
          Object.defineProperty(top.container, top.key, { value, writable: true, enumerable: true, configurable: true });
        }
        this.skipWs();
        const next = t.charCodeAt(this.pos);
        if (next === COMMA) {
          this.pos++;
          top.key = top.isArray ? String((top.container as unknown[]).length) : this.parseKey();
          break;
        }
        if (next === (top.isArray ? CLOSE_BRACKET : CLOSE_BRACE)) {
          this.pos++;
          this.stack.pop();
          value = top.container;
          continue;
        }
        this.fail(top.isArray ? "expected ',' or ']'" : "expected ',' or '}'");
      }
    }
  }

  /** `"key":` with the whitespace around it; returns the key. */
  private parseKey(): string {
    this.skipWs();
    if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail('expected a string key');
    const key = this.parseString();
    this.skipWs();
    if (this.text.charCodeAt(this.pos) !== COLON) this.fail("expected ':'");
    this.pos++;
    return key;
  }

  private parseScalar(c: number, container: object, key: string): unknown {
    switch (c) {
      case QUOTE:
        return this.parseString();
      case 0x74: // t
        return this.parseLiteral('true', true);
      case 0x66: // f
        return this.parseLiteral('false', false);
      case 0x6e: // n
        return this.parseLiteral('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber(container, key);
        return this.fail(`unexpected character ${JSON.stringify(this.text[this.pos])}`);
    }
  }

  /** 1-based line and column of the current position. O(position). */
  private position(): [number, number] {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(this.pos, this.text.length);
    for (let i = this.text.indexOf('\n'); i !== -1 && i < end; i = this.text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return [line, end - lineStart + 1];
  }

  private fail(reason: string): never {
    const [line, column] = this.position();
    throw new JsonSyntaxError(reason, line, column);
  }

  /** The container about to open would be one level too deep. */
  private failDepth(): never {
    const path = pathOf(this.stack.map((f) => (f.isArray ? Number(f.key) : f.key)));
    const [line, column] = this.position();
    throw new JsonSyntaxError(depthReason(path, this.stack.length + 1, this.maxDepth), line, column, path);
  }

  private skipWs(): void {
    const t = this.text;
    let i = this.pos;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c !== SPACE && c !== LF && c !== CR && c !== TAB) break;
      i++;
    }
    this.pos = i;
  }

  private parseLiteral(word: string, value: unknown): unknown {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail('invalid literal');
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    // Fast scan for the common case: no escapes, no control characters.
    let i = this.pos;
    const t = this.text;
    for (; i < t.length; i++) {
      const ch = t.charCodeAt(i);
      if (ch === QUOTE || ch === BACKSLASH || ch < 0x20) break;
    }
    if (t.charCodeAt(i) === QUOTE) {
      this.pos = i + 1;
      return t.slice(start + 1, i);
    }
    // Slow path: find the closing quote honouring escapes, then let JSON.parse decode it.
    for (; i < t.length; i++) {
      const ch = t.charCodeAt(i);
      if (ch === BACKSLASH) {
        i++;
        continue;
      }
      if (ch === QUOTE) break;
      if (ch < 0x20) {
        this.pos = i;
        this.fail('control character in string');
      }
    }
    if (i >= t.length) {
      this.pos = t.length;
      this.fail('unterminated string');
    }
    this.pos = i + 1;
    try {
      return JSON.parse(t.slice(start, i + 1)) as string;
    } catch {
      this.pos = start;
      return this.fail('invalid escape in string');
    }
  }

  private parseNumber(container: object, key: string): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail('invalid number');
    const token = match[0];
    this.pos += token.length;
    const value = Number(token);
    if (String(value) !== token) setRawNumber(container, key, token);
    return value;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
