import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header vmsync's own notifications carry (DESIGN.md §4). */
export const SIGNED_REF_HEADER = 'X-Vmsync-Ref';

export interface SignedRef {
  server: string;
  mailbox: string;
  msgId: string;
  /** The address the notification was sent to: a copy in another mailbox is not valid. */
  to: string;
}

const FIELD = /^[A-Za-z0-9@._+-]+$/;

function canonical(ref: SignedRef): string {
  return `v1;server=${ref.server};mailbox=${ref.mailbox};msgid=${ref.msgId};to=${ref.to.toLowerCase()}`;
}

function mac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** `v1;server=..;mailbox=..;msgid=..;to=..;sig=<hex HMAC-SHA256 of the rest>`. */
export function signRef(ref: SignedRef, secret: string): string {
  for (const [name, value] of Object.entries(ref)) {
    if (!FIELD.test(value)) throw new Error(`signed reference: ${name} has characters not allowed`);
  }
  const text = canonical(ref);
  return `${text};sig=${mac(secret, text)}`;
}

export type VerifiedRef =
  | { ok: true; ref: SignedRef }
  | { ok: false; reason: 'malformed' | 'bad-signature' };

/**
 * Verifies a header value. Only a reference signed with this deployment's secret is
 * accepted; the comparison is constant-time. The reason never includes the secret.
 */
export function verifyRef(header: string, secret: string): VerifiedRef {
  const match =
    /^v1;server=([^;]+);mailbox=([^;]+);msgid=([^;]+);to=([^;]+);sig=([0-9a-f]{64})$/.exec(
      header.trim(),
    );
  if (!match) return { ok: false, reason: 'malformed' };
  const [, server = '', mailbox = '', msgId = '', to = '', sig = ''] = match;
  const ref: SignedRef = { server, mailbox, msgId, to };
  if (!Object.values(ref).every((v) => FIELD.test(v))) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(secret, canonical(ref)), 'hex');
  const given = Buffer.from(sig, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'bad-signature' };
  }
  return { ok: true, ref };
}
