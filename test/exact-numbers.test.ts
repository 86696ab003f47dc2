/** Exact numbers in front-end output: what JSON.stringify would round is kept as exact text. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactStructured, printExactJson, stringifyExact } from '../src/app/exact-numbers.js';
import { parseJsonText } from '../src/json/parse.js';

describe('exactStructured', () => {
  it('turns only numbers JSON.stringify would change into text, and says where', () => {
    const doc = parseJsonText(
      '{"a": 9007199254740993, "b": [1.0, 1e21, 0.1, 18446744073709551615], "c/d~": {"e": 123456789012345678901234567890, "f": 9007199254740991}, "g": 1.00000000000000000001}',
    ) as Record<string, unknown>;
    const { value, numbersAsText } = exactStructured(doc);
    expect(value).toEqual({
      a: '9007199254740993',
      b: [1, 1e21, 0.1, '18446744073709551615'],
      'c/d~': { e: '123456789012345678901234567890', f: 9007199254740991 },
      g: '1.00000000000000000001',
    });
    expect(numbersAsText).toEqual(['/a', '/b/3', '/c~1d~0/e', '/g']);
    // The input is not changed.
    expect(doc.a).toBe(9007199254740992);
    expect(printExactJson(doc)).toContain('"a": 9007199254740993,');
  });

  it('returns values without recorded number text as they are', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const { value, numbersAsText } = exactStructured(v);
        expect(value).toBe(v);
        expect(numbersAsText).toEqual([]);
      }),
    );
  });

  it('keeps the digits of every parsed integer through JSON.stringify', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), (n) => {
        const { value } = exactStructured(parseJsonText(`{"n": ${n}}`));
        // A number when JSON.stringify writes the same digits (2^60 does), else the digits as text (2^53 + 1).
        const same = JSON.stringify(Number(n)) === String(n);
        expect(JSON.stringify(value)).toBe(same ? `{"n":${n}}` : `{"n":"${n}"}`);
      }),
    );
  });
});

describe('stringifyExact', () => {
  it('is JSON.stringify for values read without number text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stringifyExact(v)).toBe(JSON.stringify(v));
      }),
    );
    expect(stringifyExact({ a: undefined, b: [undefined, 1], c: () => 1 })).toBe(JSON.stringify({ a: undefined, b: [undefined, 1], c: () => 1 }));
  });

  it('writes numbers as they were read', () => {
    const doc = parseJsonText('{"list": [9007199254740993, 1.0, {"max": 18446744073709551615}]}');
    expect(stringifyExact(doc)).toBe('{"list":[9007199254740993,1.0,{"max":18446744073709551615}]}');
  });
});
