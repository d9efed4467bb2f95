import type { SearchObject } from 'imapflow';

/** The headers vmsync reads from a notification (DESIGN.md §4); nothing else is fetched. */
export const NOTIFICATION_HEADERS = [
  'x-asterisk-callerid',
  'x-asterisk-calleridname',
  'x-vmsync-ref',
] as const;

/**
 * SEARCH for notification emails: Asterisk's or vmsync's headers, or the configured PBX
 * senders (a text-only notification may carry neither header).
 */
export function notificationSearch(senders: readonly string[]): SearchObject {
  const terms: SearchObject[] = [
    { header: { 'X-Asterisk-CallerID': true } },
    { header: { 'X-Vmsync-Ref': true } },
    ...senders.map((from) => ({ from })),
  ];
  return terms.length === 1 ? (terms[0] as SearchObject) : { or: terms };
}

/** Where the stable id comes from (DESIGN.md §2). */
export function stableIdOf(
  gmailId: string | undefined,
  messageId: string | undefined,
): string | null {
  if (gmailId !== undefined && gmailId !== '') return `gm:${gmailId}`;
  if (messageId !== undefined && messageId.trim() !== '') return `mid:${messageId.trim()}`;
  return null;
}

/** SEARCH for one email by its stable id: X-GM-MSGID, or the Message-ID header. */
export function stableIdSearch(emailId: string): SearchObject {
  if (emailId.startsWith('gm:')) return { emailId: emailId.slice(3) };
  if (emailId.startsWith('mid:')) return { header: { 'Message-ID': emailId.slice(4) } };
  throw new RangeError(`not a stable email id: ${emailId}`);
}

/** `1,2,3,7,9,10` -> `1:3,7,9:10`: keeps UID sets short on the wire. */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const start = sorted[i] as number;
    let end = start;
    while (sorted[i + 1] === end + 1) end = sorted[++i] as number;
    parts.push(start === end ? `${start}` : `${start}:${end}`);
    i++;
  }
  return parts.join(',');
}
