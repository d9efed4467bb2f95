import type { Notification } from '@vmsync/events';

/**
 * What an app_voicemail notification (file storage) says about its voicemail. Its
 * Message-ID is `<Asterisk-{msgnum+1}-{random}-{mailbox}-{pid}@{host}>`; the caller comes
 * in X-Asterisk-CallerID / X-Asterisk-CallerIDName. The slot number does not survive a
 * move, so it is not used to match.
 */
export interface AsteriskNotificationFacts {
  mailbox: string;
  callerIdNum: string | null;
  callerIdName: string | null;
  date: number | null;
  attachment: { size: number; encoding: string } | null;
}

const MESSAGE_ID = /^<?Asterisk-\d+-\d+-([^-@>]+)-\d+@[^>]*>?$/;

export function readAsteriskNotification(n: Notification): AsteriskNotificationFacts | null {
  const match = MESSAGE_ID.exec(n.messageId.trim());
  if (!match?.[1]) return null;
  return {
    mailbox: match[1],
    callerIdNum: n.headers['x-asterisk-callerid'] ?? null,
    callerIdName: n.headers['x-asterisk-calleridname'] ?? null,
    date: n.date,
    attachment: n.attachment && { size: n.attachment.size, encoding: n.attachment.encoding },
  };
}

/** The address inside `"Name" <addr>` or a bare address, lower-cased. */
export function addressOf(from: string): string {
  const angle = /<([^>]+)>/.exec(from);
  return (angle?.[1] ?? from).trim().toLowerCase();
}

/** Splits Asterisk's `"Name" <number>` caller id. */
export function splitCallerId(callerId: string): { name: string | null; num: string | null } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(callerId);
  if (match) return { name: match[1]?.trim() || null, num: match[2]?.trim() || null };
  const bare = callerId.trim();
  return { name: null, num: bare || null };
}
