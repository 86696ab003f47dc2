/**
 * JSON text to values, keeping the exact text of numbers a JavaScript `number` would change.
 *
 * `parseJsonText` uses the native `JSON.parse` when every number in the text is printed back
 * identically by JavaScript (the common case), and a small recursive-descent parser otherwise; the
 * latter records the source text of each non-canonical number in the raw-number registry. Both are
 * linear in the length of the text. Syntax errors carry a line and column.
 */
import { setRawNumber } from './raw-numbers.js';

/** A syntax error in JSON text, with a 1-based line and column. */
export class JsonSyntaxError extends Error {
  /** 1-based line of the offending character. */
  readonly line: number;
  /** 1-based column of the offending character. */
  readonly column: number;

  constructor(reason: string, line: number, column: number) {
    super(`${reason} at line ${line} column ${column}`);
    this.name = 'JsonSyntaxError';
    this.line = line;
    this.column = column;
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

/** Parses JSON text; non-canonical numbers keep their source text (see raw-numbers.ts). */
export function parseJsonText(text: string): unknown {
  if (!SUSPICIOUS_NUMBER.test(text) && !/^\s*-?\d/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Fall through: the exact parser reports the error with its line and column.
    }
  }
  return new LosslessParser(text).parseDocument();
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

class LosslessParser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    this.skipWs();
    const holder: Record<string, unknown> = {};
    const value = this.parseValue(holder, '');
    this.skipWs();
    if (this.pos < this.text.length) this.fail('unexpected trailing characters');
    return value;
  }

  private fail(reason: string): never {
    let line = 1;
    let col = 1;
    for (let i = 0; i < this.pos && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 0x0a) {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    throw new JsonSyntaxError(reason, line, col);
  }

  private skipWs(): void {
    while (this.pos < this.text.length && WS.has(this.text.charCodeAt(this.pos))) this.pos++;
  }

  /** Parses one value; `container[key]` is where it will be stored (for raw number records). */
  private parseValue(container: object, key: string): unknown {
    if (this.pos >= this.text.length) this.fail('unexpected end of input');
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.parseObject();
      case '[':
        return this.parseArray();
      case '"':
        return this.parseString();
      case 't':
        return this.parseLiteral('true', true);
      case 'f':
        return this.parseLiteral('false', false);
      case 'n':
        return this.parseLiteral('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber(container, key);
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  private parseLiteral(word: string, value: unknown): unknown {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail('invalid literal');
  }

  private enter(): void {
    if (++this.depth > 10_000) this.fail('nesting too deep');
  }

  private parseObject(): Record<string, unknown> {
    this.enter();
    const obj: Record<string, unknown> = {};
    this.pos++; // {
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return obj;
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.parseString();
      this.skipWs();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.skipWs();
      const value = this.parseValue(obj, key);
      // defineProperty keeps a key named "__proto__" an own data property, as JSON.parse does.
      Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
      this.skipWs();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === '}') {
        this.pos++;
        this.depth--;
        return obj;
      }
      this.fail("expected ',' or '}'");
    }
  }

  private parseArray(): unknown[] {
    this.enter();
    const arr: unknown[] = [];
    this.pos++; // [
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return arr;
    }
    for (;;) {
      this.skipWs();
      arr.push(this.parseValue(arr, String(arr.length)));
      this.skipWs();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === ']') {
        this.pos++;
        this.depth--;
        return arr;
      }
      this.fail("expected ',' or ']'");
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    // Fast scan for the common case: no escapes, no control characters.
    let i = this.pos;
    const t = this.text;
    for (; i < t.length; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 0x22 || ch === 0x5c || ch < 0x20) break;
    }
    if (t.charCodeAt(i) === 0x22) {
      this.pos = i + 1;
      return t.slice(start + 1, i);
    }
    // Slow path: find the closing quote honouring escapes, then let JSON.parse decode it.
    for (; i < t.length; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 0x5c) {
        i++;
        continue;
      }
      if (ch === 0x22) break;
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
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const match = m.exec(this.text);
    if (match === null) return this.fail('invalid number');
    const token = match[0];
    this.pos += token.length;
    const value = Number(token);
    if (String(value) !== token) setRawNumber(container, key, token);
    return value;
  }
}
