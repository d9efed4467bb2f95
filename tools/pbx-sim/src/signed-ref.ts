import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * vmsync's own link header (DESIGN.md §4):
 *   X-Vmsync-Ref: v1;server=<pbx>;mailbox=<mailbox@context>;msgid=<msg_id>;sig=<hex>
 * `sig` is HMAC-SHA256, under the deployment's secret, of everything before `;sig=`.
 *
 * Lives here for now; meant to move to a shared lib, since the mail side verifies it.
 */
export const VMSYNC_REF_HEADER = 'X-Vmsync-Ref';

export interface VmsyncRef {
  server: string;
  mailbox: string;
  msgId: string;
}

// The fields are joined with ';' and '=': neither may appear in a value.
const VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]{1,255}$/;

function payload(ref: VmsyncRef): string {
  for (const [k, v] of Object.entries(ref)) {
    if (!VALUE.test(v)) throw new Error(`vmsync ref ${k} '${v}' has characters a ref cannot carry`);
  }
  return `v1;server=${ref.server};mailbox=${ref.mailbox};msgid=${ref.msgId}`;
}

function mac(secret: string | Buffer, text: string): Buffer {
  return createHmac('sha256', secret).update(text, 'utf8').digest();
}

export function signRef(ref: VmsyncRef, secret: string | Buffer): string {
  const text = payload(ref);
  return `${text};sig=${mac(secret, text).toString('hex')}`;
}

/** The ref when the header is well formed and its signature holds under `secret`, else null. */
export function verifyRef(header: string, secret: string | Buffer): VmsyncRef | null {
  // Header folding may have put whitespace anywhere between fields.
  const value = header.replace(/\s+/g, '');
  const m = /^(v1;server=([^;=]+);mailbox=([^;=]+);msgid=([^;=]+));sig=([0-9a-f]{64})$/.exec(value);
  if (!m) return null;
  const [, signed, server, mailbox, msgId, sig] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const expected = mac(secret, signed);
  const given = Buffer.from(sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { server, mailbox, msgId };
}
