import type { MailAction, VoicemailAction } from '@vmsync/events';

/** One "make it so" command the rules want carried out on one side of a pair. */
export type Decision =
  | { readonly side: 'email'; readonly action: MailAction }
  | { readonly side: 'voicemail'; readonly action: VoicemailAction };

export function toEmail(action: MailAction): Decision {
  return { side: 'email', action };
}

export function toVoicemail(action: VoicemailAction): Decision {
  return { side: 'voicemail', action };
}

/**
 * Commands to one side travel in order on one partition. Whether a message is deleted is
 * settled before its read state, so that an actuator which marks a message heard by
 * moving it between folders (Asterisk: INBOX -> Old) never has to do that in Deleted.
 */
const order: readonly Decision['action'][] = [
  'ensure-trash',
  'ensure-inbox',
  'ensure-deleted',
  'ensure-saved',
  'ensure-read',
  'ensure-unread',
  'ensure-heard',
  'ensure-unheard',
];

/** The decisions once each, in the order they are to be applied. */
export function inOrder(decisions: readonly Decision[]): Decision[] {
  const unique = new Map(decisions.map((d) => [`${d.side}:${d.action}`, d]));
  return [...unique.values()].sort((a, b) => order.indexOf(a.action) - order.indexOf(b.action));
}
