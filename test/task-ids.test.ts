import { describe, expect, it } from 'vitest';
import { defaultIdGenerator } from '../src/model/ids.js';

describe('default task ids', () => {
  it('are 21-character nanoids that never start with "-" (so a CLI never reads one as an option)', () => {
    // With nanoid's 64-symbol alphabet, 5,000 plain draws start with "-" about 78 times.
    const ids = Array.from({ length: 5000 }, () => defaultIdGenerator());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
