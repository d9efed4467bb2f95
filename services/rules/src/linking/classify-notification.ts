import type { Notification, VoicemailRef } from '@vmsync/events';
import { verifyRef } from '@vmsync/notification';
import {
  type AsteriskNotificationFacts,
  addressOf,
  readAsteriskNotification,
} from './asterisk-notification.js';

export interface LinkPolicy {
  /** Addresses app_voicemail sends from (voicemail.conf `serveremail`), lower-case. */
  senders: ReadonlySet<string>;
  /** The deployment's HMAC secret for X-Vmsync-Ref. */
  refSecret: string;
}

export type NotificationClass =
  | { kind: 'signed'; ref: VoicemailRef }
  | { kind: 'asterisk'; facts: AsteriskNotificationFacts }
  | { kind: 'refused'; reason: string }
  | { kind: 'not-a-notification' };

/**
 * What an email claims to be (DESIGN.md §4), before any voicemail is looked at. A signed
 * reference must verify and name this very mailbox; an unsigned Asterisk notification is
 * only considered from a configured sender. Anything else never links.
 */
export function classifyNotification(
  account: string,
  n: Notification,
  policy: LinkPolicy,
): NotificationClass {
  const signed = n.headers['x-vmsync-ref'];
  if (signed !== undefined) {
    const verified = verifyRef(signed, policy.refSecret);
    if (!verified.ok) return { kind: 'refused', reason: `X-Vmsync-Ref ${verified.reason}` };
    if (verified.ref.to.toLowerCase() !== account.toLowerCase()) {
      return { kind: 'refused', reason: 'X-Vmsync-Ref was issued for another mailbox' };
    }
    const { server, mailbox, msgId } = verified.ref;
    return { kind: 'signed', ref: { server, mailbox, msgId } };
  }
  const facts = readAsteriskNotification(n);
  if (!facts) return { kind: 'not-a-notification' };
  if (!policy.senders.has(addressOf(n.from))) {
    return {
      kind: 'refused',
      reason: `sender ${addressOf(n.from)} is not a configured PBX sender`,
    };
  }
  return { kind: 'asterisk', facts };
}
