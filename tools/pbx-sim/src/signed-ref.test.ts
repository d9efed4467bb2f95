import { describe, expect, it } from 'vitest';
import { signRef, verifyRef } from './signed-ref.js';

const ref = { server: 'pbx1', mailbox: '1001@default', msgId: '1701172680-00000003' };

describe('X-Vmsync-Ref', () => {
  it('signs in the documented format and verifies', () => {
    const header = signRef(ref, 'secret');
    expect(header).toMatch(
      /^v1;server=pbx1;mailbox=1001@default;msgid=1701172680-00000003;sig=[0-9a-f]{64}$/,
    );
    expect(verifyRef(header, 'secret')).toEqual(ref);
  });

  it('survives header folding', () => {
    const header = signRef(ref, 'secret').replace(';mailbox', ';\r\n mailbox');
    expect(verifyRef(header, 'secret')).toEqual(ref);
  });

  it('rejects another secret, a changed field, a truncated or malformed header', () => {
    const header = signRef(ref, 'secret');
    expect(verifyRef(header, 'other')).toBeNull();
    expect(verifyRef(header.replace('msgid=1701172680', 'msgid=1701172681'), 'secret')).toBeNull();
    expect(verifyRef(header.slice(0, -2), 'secret')).toBeNull();
    expect(verifyRef('v2;server=x', 'secret')).toBeNull();
    expect(verifyRef('', 'secret')).toBeNull();
  });

  it('refuses values that would break the format', () => {
    expect(() => signRef({ ...ref, mailbox: 'a;b' }, 's')).toThrow();
    expect(() => signRef({ ...ref, msgId: 'x=y' }, 's')).toThrow();
    expect(() => signRef({ ...ref, server: '' }, 's')).toThrow();
  });
});
