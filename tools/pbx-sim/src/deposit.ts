import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DEFAULT_MAX_MSG,
  folderDir,
  lastMessageIndex,
  listSlots,
  lockFolder,
  type MessageMetadata,
  mailboxDir,
  mailboxId,
  type SpoolFolder,
  serializeMessageMetadata,
  slotName,
} from '@vmsync/asterisk-spool';
import { makeWav } from './wav.js';

export interface CallerId {
  number?: string;
  name?: string;
}

export interface DepositOptions {
  spoolDir: string;
  mailbox: string;
  context?: string;
  caller?: CallerId;
  /** Seconds of audio. */
  durationSec?: number;
  /** Urgent messages are filed in Urgent, with flag=Urgent. */
  urgent?: boolean;
  now?: Date;
  /** The dialplan the call came through (the txt's context/exten/priority/callerchan). */
  dialplan?: { context?: string; exten?: string; priority?: number; channel?: string };
  /** `maxmsg`: a full folder refuses the message, as Asterisk does. */
  maxMsg?: number;
  /** Seeds the audio's noise; defaults to a value derived from the msg_id. */
  seed?: number;
}

export interface DepositedMessage {
  context: string;
  mailbox: string;
  /** `mailbox@context`. */
  mailboxId: string;
  folder: SpoolFolder;
  msgnum: number;
  msgId: string;
  metadata: MessageMetadata;
  audioPath: string;
  txtPath: string;
  audio: { size: number; sha256: string; format: 'wav' };
  /** The caller as the email will show it. */
  caller: CallerId;
}

// Asterisk counts from 0 at start-up; a simulator starts at a random point instead, so two
// simulator processes in the same second do not mint the same msg_id.
let counter = randomBytes(4).readUInt32BE(0) >>> 8;

/** generate_msg_id: `<unix seconds>-<8 hex digits of a process-wide counter>`. */
export function nextMsgId(now: Date = new Date()): string {
  const n = counter;
  counter = (counter + 1) >>> 0;
  return `${Math.floor(now.getTime() / 1000)}-${n.toString(16).padStart(8, '0')}`;
}

/** ast_callerid_merge: `"Name" <number>`, or whichever half exists, or "Unknown". */
export function mergeCallerId(caller: CallerId): string {
  const { name, number } = caller;
  if (name && number) return `"${name.replace(/(["\\])/g, '\\$1')}" <${number}>`;
  return name || number || 'Unknown';
}

/** The inverse of mergeCallerId (ast_callerid_split, simplified). */
export function splitCallerId(callerid: string): CallerId {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(callerid);
  if (m) {
    const name = (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1').trim();
    const number = (m[3] ?? '').trim();
    return { ...(name ? { name } : {}), ...(number ? { number } : {}) };
  }
  const t = callerid.trim();
  if (t === '' || t === 'Unknown') return {};
  return /^[+\d*#]+$/.test(t) ? { number: t } : { name: t };
}

/** get_date: `%a %b %e %r UTC %Y`, in UTC. */
export function asteriskDate(d: Date): string {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    d.getUTCMonth()
  ];
  const h = d.getUTCHours();
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(h % 12 === 0 ? 12 : h % 12)}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
  return `${day} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${clock} UTC ${d.getUTCFullYear()}`;
}

/**
 * Leaves a voicemail the way leave_voicemail does in file storage: the recording and its
 * .txt are written in the mailbox's tmp directory, then, under the folder's lock, the
 * audio is renamed to msgN.wav and the .txt to msgN.txt, N being the highest number + 1.
 */
export async function deposit(options: DepositOptions): Promise<DepositedMessage> {
  const context = options.context ?? 'default';
  const now = options.now ?? new Date();
  const folder: SpoolFolder = options.urgent ? 'Urgent' : 'INBOX';
  const caller = options.caller ?? {};
  const msgId = nextMsgId(now);
  const duration = Math.max(1, Math.round(options.durationSec ?? 3));
  const dial = options.dialplan ?? {};
  const metadata: MessageMetadata = {
    origmailbox: options.mailbox,
    context: dial.context ?? 'from-internal',
    macrocontext: null,
    exten: dial.exten ?? options.mailbox,
    rdnis: 'unknown',
    priority: String(dial.priority ?? 2),
    callerchan:
      dial.channel ?? `PJSIP/${caller.number ?? 'anonymous'}-${randomBytes(4).toString('hex')}`,
    callerid: mergeCallerId(caller),
    origdate: asteriskDate(now),
    origtime: Math.floor(now.getTime() / 1000),
    category: '',
    msgId,
    flag: options.urgent ? 'Urgent' : '',
    duration,
    extra: [],
  };
  const wav = makeWav({ seconds: duration, seed: options.seed ?? hashSeed(msgId) });

  const boxDir = mailboxDir(options.spoolDir, context, options.mailbox);
  const tmpDir = path.join(boxDir, 'tmp');
  const dir = folderDir(options.spoolDir, context, options.mailbox, folder);
  await mkdir(tmpDir, { recursive: true });
  await mkdir(dir, { recursive: true });
  // mkstemp-style name: no `msg` prefix, so nothing reads it as a message.
  const tmpBase = path.join(tmpDir, randomBytes(6).toString('hex'));
  await writeFile(`${tmpBase}.wav`, wav);
  await writeFile(tmpBase, serializeMessageMetadata(metadata));

  const lock = await lockFolder(dir);
  let msgnum: number;
  try {
    msgnum = lastMessageIndex(await listSlots(dir)) + 1;
    if (msgnum >= (options.maxMsg ?? DEFAULT_MAX_MSG)) {
      await unlink(`${tmpBase}.wav`).catch(() => undefined);
      await unlink(tmpBase).catch(() => undefined);
      throw new Error(`mailbox ${options.mailbox}@${context} ${folder} is full`);
    }
    await rename(`${tmpBase}.wav`, path.join(dir, slotName(msgnum, 'wav')));
    await rename(tmpBase, path.join(dir, slotName(msgnum, 'txt')));
  } finally {
    await lock.release();
  }
  return {
    context,
    mailbox: options.mailbox,
    mailboxId: mailboxId(context, options.mailbox),
    folder,
    msgnum,
    msgId,
    metadata,
    audioPath: path.join(dir, slotName(msgnum, 'wav')),
    txtPath: path.join(dir, slotName(msgnum, 'txt')),
    audio: {
      size: wav.length,
      sha256: createHash('sha256').update(wav).digest('hex'),
      format: 'wav',
    },
    caller,
  };
}

function hashSeed(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0);
}
