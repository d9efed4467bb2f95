import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DemoContext } from '@vmsync/demo';
import { appendToInbox } from '@vmsync/pbx-sim';

/** IMAP APPEND into a user's INBOX through the local Dovecot's master user (a delivery). */
export async function deliver(ctx: DemoContext, address: string, raw: string | Buffer) {
  const { imap } = ctx;
  return appendToInbox(
    {
      host: imap.host,
      port: imap.port,
      secure: true,
      ca: await readFile(imap.caFile),
      auth: { user: `${address}${imap.separator}${imap.masterUser}`, pass: imap.masterPassword },
    },
    raw,
  );
}

const CRLF = '\r\n';
const head = (from: string, to: string, subject: string, extra: string[] = []) =>
  [
    `Date: ${new Date().toUTCString()}`,
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <hostile-${randomBytes(6).toString('hex')}@evil.example>`,
    'MIME-Version: 1.0',
    ...extra,
  ].join(CRLF);

/** Malformed MIME a stranger (or a broken mailer) can put in a mailbox, by name. */
export function hostileMime(to: string, sender: string): Record<string, string | Buffer> {
  const nested = (depth: number): string => {
    let body = `Content-Type: text/plain${CRLF}${CRLF}bottom${CRLF}`;
    for (let i = depth; i > 0; i--) {
      body = `Content-Type: multipart/mixed; boundary="b${i}"${CRLF}${CRLF}--b${i}${CRLF}${body}--b${i}--${CRLF}`;
    }
    return body;
  };
  const wav = Buffer.alloc(25 * 1024 * 1024, 7)
    .toString('base64')
    .replace(/.{76}/g, `$&${CRLF}`);
  return {
    'multipart nested 500 deep': `${head(sender, to, 'deep')}${CRLF}${nested(500)}`,
    'a 1 MiB header': `${head(sender, to, 'huge header', [`X-Junk: ${'A'.repeat(1024 * 1024)}`])}${CRLF}${CRLF}body${CRLF}`,
    '20000 header lines': `${head(
      sender,
      to,
      'many headers',
      Array.from({ length: 20_000 }, (_, i) => `X-Asterisk-CallerID: ${i}`),
    )}${CRLF}${CRLF}body${CRLF}`,
    'bad encodings (8-bit header, unknown charset, broken base64, no closing boundary)':
      Buffer.concat([
        Buffer.from(
          `${head(sender, to, '=?x-unknown?B?!!!?= =?utf-8?Q?=ZZ?=', ['Content-Type: multipart/mixed; boundary="open"'])}${CRLF}X-Asterisk-CallerIDName: `,
        ),
        Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]),
        Buffer.from(
          `${CRLF}${CRLF}--open${CRLF}Content-Type: audio/x-wav; charset=nonexistent${CRLF}Content-Transfer-Encoding: base64${CRLF}Content-Disposition: attachment; filename="msg0000.wav${CRLF}${CRLF}%%%not base64%%%${CRLF}`,
        ),
      ]),
    'multipart without a boundary': `${head(sender, to, 'no boundary', ['Content-Type: multipart/mixed'])}${CRLF}${CRLF}--x${CRLF}nothing${CRLF}`,
    'a 25 MiB attachment from the PBX sender': `${head(sender, to, '[PBX]: New message 1 in mailbox 1001', ['X-Asterisk-CallerID: 5550100', 'Content-Type: multipart/mixed; boundary="big"'])}${CRLF}${CRLF}--big${CRLF}Content-Type: audio/x-wav; name="msg0000.wav"${CRLF}Content-Transfer-Encoding: base64${CRLF}Content-Disposition: attachment; filename="msg0000.wav"${CRLF}${CRLF}${wav}${CRLF}--big--${CRLF}`,
    'no Message-ID, no From': `Subject: bare${CRLF}${CRLF}body${CRLF}`,
  };
}
