import type { Notification } from '@vmsync/events';
import type { FetchMessageObject, MessageAddressObject, MessageStructureObject } from 'imapflow';
import { NOTIFICATION_HEADERS, stableIdOf } from './notification-query.js';

/** One copy of a notification email in one folder. */
export interface NotificationCopy {
  emailId: string;
  uid: number;
  read: boolean;
  notification: Notification;
}

/** Unfolds header lines and keeps the ones vmsync reads, names lower-cased. */
export function parseHeaderFields(raw: Buffer | string | undefined): Record<string, string> {
  if (raw === undefined) return {};
  const text = (typeof raw === 'string' ? raw : raw.toString('utf8')).replace(/\r?\n[ \t]+/g, ' ');
  const wanted = new Set<string>(NOTIFICATION_HEADERS);
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (wanted.has(name) && out[name] === undefined) out[name] = line.slice(colon + 1).trim();
  }
  return out;
}

function formatAddress(a: MessageAddressObject | undefined): string {
  if (a === undefined) return '';
  const address = a.address ?? '';
  return a.name ? `"${a.name.replaceAll('"', '')}" <${address}>` : address;
}

/** Every part, depth first, without recursion: a hostile message may nest thousands deep. */
function* parts(root: MessageStructureObject | undefined): Generator<MessageStructureObject> {
  const stack = root === undefined ? [] : [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    yield node;
    stack.push(...[...(node.childNodes ?? [])].reverse());
  }
}

/** The voicemail audio as BODYSTRUCTURE describes it: the first audio part, else the first attachment. */
export function findAttachment(
  structure: MessageStructureObject | undefined,
): Notification['attachment'] {
  const all = [...parts(structure)].filter((p) => !p.type.startsWith('multipart/'));
  const audio =
    all.find((p) => p.type.startsWith('audio/')) ??
    all.find((p) => p.disposition?.toLowerCase() === 'attachment');
  if (audio === undefined) return null;
  return {
    filename: audio.dispositionParameters?.filename ?? audio.parameters?.name ?? '',
    size: audio.size ?? 0,
    type: audio.type,
    encoding: (audio.encoding ?? '7bit').toLowerCase(),
  };
}

function epochMs(date: Date | string | undefined): number | null {
  if (date === undefined) return null;
  const ms = (date instanceof Date ? date : new Date(date)).getTime();
  return Number.isFinite(ms) && ms >= 0 ? Math.trunc(ms) : null;
}

/**
 * Reads a fetched notification (envelope, flags, BODYSTRUCTURE, the few headers, X-GM-MSGID
 * where offered). Null when it has no stable id (no Message-ID on a non-Gmail server).
 */
export function toNotificationCopy(
  msg: FetchMessageObject,
  gmail: boolean,
): NotificationCopy | null {
  const messageId = msg.envelope?.messageId;
  const emailId = stableIdOf(gmail ? msg.emailId : undefined, messageId);
  if (emailId === null) return null;
  // Kept for as long as the mailbox is watched: a deep copy, so no string of it is a slice
  // holding the whole FETCH response alive (heap snapshot: ~KBs per notification).
  return structuredClone({
    emailId,
    uid: msg.uid,
    read: msg.flags?.has('\\Seen') ?? false,
    notification: {
      messageId: messageId ?? emailId,
      from: formatAddress(msg.envelope?.from?.[0]),
      date: epochMs(msg.envelope?.date),
      headers: parseHeaderFields(msg.headers),
      attachment: findAttachment(msg.bodyStructure),
    },
  });
}
