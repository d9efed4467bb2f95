import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { slotName } from '@vmsync/asterisk-spool';
import { SIGNED_REF_HEADER, signRef } from '@vmsync/notification';
import type { CallerId, DepositedMessage } from './deposit.js';

export interface NotifyOptions {
  message: Pick<
    DepositedMessage,
    'mailbox' | 'context' | 'msgnum' | 'msgId' | 'metadata' | 'audioPath' | 'caller'
  >;
  user: { email: string; fullname: string; attach: boolean };
  /** `serveremail`; without an `@` the host name is appended, as Asterisk does. */
  serverEmail: string;
  /** `fromstring`: the From display name (default "Asterisk PBX"). */
  fromString?: string;
  /** Defaults to this machine's name and pid, as in Asterisk's Message-ID. */
  host?: string;
  pid?: number;
  charset?: string;
  /** `pbxskip=yes` drops the "[PBX]: " subject prefix. */
  pbxSkip?: boolean;
  /** Adds a signed X-Vmsync-Ref header. */
  ref?: { server: string; secret: string };
  /** The audio bytes; read from `message.audioPath` when absent. */
  audio?: Buffer;
  now?: Date;
}

export interface Notification {
  /** The whole message, CRLF line ends, ready for IMAP APPEND. */
  raw: string;
  messageId: string;
  subject: string;
  /** `msgNNNN.wav`, or null for attach=no. */
  attachmentName: string | null;
  date: Date;
}

const CRLF = '\r\n';

/**
 * The notification app_voicemail's make_email_file writes in file storage: Date, From,
 * To, Subject "[PBX]: New message N in mailbox M" (N = slot + 1), Message-ID
 * `<Asterisk-N-random-mailbox-pid@host>`, X-Asterisk-CallerID/CallerIDName, the default
 * "Dear ..." body and, with attach=yes, the audio as a base64 `msgNNNN.wav` part.
 */
export async function buildNotification(o: NotifyOptions): Promise<Notification> {
  const m = o.message;
  const now = o.now ?? new Date();
  const host = o.host ?? os.hostname();
  const pid = o.pid ?? process.pid;
  const n = m.msgnum + 1;
  const who = o.serverEmail.includes('@') ? o.serverEmail : `${o.serverEmail}@${host}`;
  const flag = m.metadata.flag;
  const subject = `${o.pbxSkip ? '' : '[PBX]: '}New ${flag ? `${flag} ` : ''}message ${n} in mailbox ${m.mailbox}`;
  const messageId = `<Asterisk-${n}-${randomBytes(4).readUInt32BE(0)}-${m.mailbox}-${pid}@${host}>`;
  const caller: CallerId = m.caller;
  const charset = o.charset ?? 'ISO-8859-1';

  const headers = [
    `Date: ${rfc2822(now)}`,
    `From: ${encodeWord(o.fromString ?? 'Asterisk PBX')} <${who}>`,
    `To: ${encodeWord(o.user.fullname)} <${o.user.email}>`,
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    ...(caller.number ? [`X-Asterisk-CallerID: ${stripControl(caller.number)}`] : []),
    ...(caller.name ? [`X-Asterisk-CallerIDName: ${stripControl(caller.name)}`] : []),
    ...(o.ref
      ? [
          `${SIGNED_REF_HEADER}: ${signRef({ server: o.ref.server, mailbox: `${m.mailbox}@${m.context}`, msgId: m.msgId, to: o.user.email }, o.ref.secret)}`,
        ]
      : []),
    'MIME-Version: 1.0',
  ];
  const duration = m.metadata.duration;
  const dur = `${Math.floor(duration / 60)}:${String(duration % 60).padStart(2, '0')}`;
  const from = caller.name || caller.number || 'an unknown caller';
  const body = [
    `Dear ${o.user.fullname}:`,
    '',
    `\tJust wanted to let you know you were just left a ${dur} long message (number ${n})`,
    `in mailbox ${m.mailbox} from ${from}, on ${emailDate(now)} so you might`,
    'want to check it when you get a chance.  Thanks!',
    '',
    '\t\t\t\t--Asterisk',
    '',
    '',
  ].join(CRLF);
  const textPart = `Content-Type: text/plain; charset=${charset}${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${body}`;

  if (!o.user.attach) {
    return {
      raw: `${headers.join(CRLF)}${CRLF}${textPart}`,
      messageId,
      subject,
      attachmentName: null,
      date: now,
    };
  }
  const bound = `----voicemail_${n}${m.mailbox}${pid}${randomBytes(4).readUInt32BE(0)}`;
  const attachmentName = slotName(m.msgnum, 'wav');
  const audio = o.audio ?? (await readFile(m.audioPath));
  const raw = [
    ...headers,
    `Content-Type: multipart/mixed; boundary="${bound}"`,
    '',
    '',
    'This is a multi-part message in MIME format.',
    '',
    `--${bound}`,
    textPart,
    `--${bound}`,
    `Content-Type: audio/x-wav; name="${attachmentName}"`,
    'Content-Transfer-Encoding: base64',
    'Content-Description: Voicemail sound attachment.',
    `Content-Disposition: attachment; filename="${attachmentName}"`,
    '',
    base64Lines(audio),
    '',
    `--${bound}--`,
    '',
  ].join(CRLF);
  return { raw, messageId, subject, attachmentName, date: now };
}

/** ast_base64_encode_file_path writes 72-character lines. */
function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 72) lines.push(b64.slice(i, i + 72));
  return lines.join(CRLF);
}

/** A display name: quoted, or RFC 2047-encoded when not plain ASCII. */
function encodeWord(name: string): string {
  if (/[^\x20-\x7e]/.test(name))
    return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/** strip_control_and_high. */
function stripControl(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '');
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const two = (n: number) => String(n).padStart(2, '0');

/** `%a, %d %b %Y %H:%M:%S %z`, in UTC. */
function rfc2822(d: Date): string {
  return `${DAYS[d.getUTCDay()]?.slice(0, 3)}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]?.slice(0, 3)} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** emaildateformat's default `%A, %B %d, %Y at %r`, in UTC. */
function emailDate(d: Date): string {
  const h = d.getUTCHours();
  const clock = `${two(h % 12 === 0 ? 12 : h % 12)}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
  return `${DAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())}, ${d.getUTCFullYear()} at ${clock}`;
}
