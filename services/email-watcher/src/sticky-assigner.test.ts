import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stickyAssign } from './sticky-assigner.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('stickyAssign', () => {
  it('a joining member takes only what balance needs; the others keep the rest', () => {
    const before = stickyAssign(range(6), [{ memberId: 'a', owned: [] }]);
    expect(before.get('a')).toEqual(range(6));
    const after = stickyAssign(range(6), [
      { memberId: 'a', owned: range(6) },
      { memberId: 'b', owned: [] },
    ]);
    expect(after.get('a')).toEqual([0, 1, 2]);
    expect(after.get('b')).toEqual([3, 4, 5]);
  });

  it('a leaving member hands over only its own partitions', () => {
    const after = stickyAssign(range(6), [
      { memberId: 'a', owned: [0, 1] },
      { memberId: 'c', owned: [4, 5] },
    ]);
    expect(after.get('a')).toEqual(expect.arrayContaining([0, 1]));
    expect(after.get('c')).toEqual(expect.arrayContaining([4, 5]));
    expect([...(after.get('a') ?? []), ...(after.get('c') ?? [])].sort()).toEqual(range(6));
  });

  it('always assigns every partition once, balanced within one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 10 }), {
          minLength: 1,
          maxLength: 6,
        }),
        (n, owned) => {
          const members = owned.map((o, i) => ({ memberId: `m${i}`, owned: o }));
          const result = stickyAssign(range(n), members);
          const flat = [...result.values()].flat().sort((a, b) => a - b);
          expect(flat).toEqual(range(n));
          const sizes = [...result.values()].map((ps) => ps.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
