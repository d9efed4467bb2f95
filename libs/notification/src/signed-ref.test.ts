import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signRef, verifyRef } from './signed-ref.js';

const ref = {
  server: 'pbx1',
  mailbox: '1001@default',
  msgId: '1764300000-00000001',
  to: 'user1@example.test',
};

describe('signed references', () => {
  it('verify when signed with the same secret', () => {
    expect(verifyRef(signRef(ref, 'k1'), 'k1')).toEqual({ ok: true, ref });
  });

  it('fail with another secret, or any field changed', () => {
    const header = signRef(ref, 'k1');
    expect(verifyRef(header, 'k2')).toEqual({ ok: false, reason: 'bad-signature' });
    const forged = header.replace('msgid=1764300000-00000001', 'msgid=1764300000-00000002');
    expect(verifyRef(forged, 'k1')).toEqual({ ok: false, reason: 'bad-signature' });
    const moved = header.replace('to=user1@', 'to=user2@');
    expect(verifyRef(moved, 'k1')).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('call anything else malformed, never throwing', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const result = verifyRef(s, 'k1');
        expect(result.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuse to sign fields that would break the format', () => {
    expect(() => signRef({ ...ref, msgId: 'a;sig=00' }, 'k1')).toThrow(/msgId/);
  });
});
