import type { PairKind, VoicemailRef } from '@vmsync/events';
import { type AsteriskNotificationFacts, splitCallerId } from './asterisk-notification.js';

export interface VoicemailCandidate {
  ref: VoicemailRef;
  kind: PairKind;
  callerId: string;
  /** Unix seconds, from the spool's metadata. */
  origTime: number;
  audioSize: number | null;
}

/** A notification is sent when recording ends; mail may be slow, never early. */
const EARLIEST_S = -300;
const LATEST_S = 24 * 3600;

/**
 * Decoded size of a transferred part. Base64 carries 3 bytes in 4 characters and lines
 * end in CRLF; the estimate is compared with a tolerance, not exactly.
 */
export function decodedSize(size: number, encoding: string): number {
  return encoding.toLowerCase() === 'base64' ? Math.floor((size * 3) / 4 / (78 / 76)) : size;
}

function sizeAgrees(audioSize: number, facts: AsteriskNotificationFacts): boolean {
  if (!facts.attachment) return false;
  const decoded = decodedSize(facts.attachment.size, facts.attachment.encoding);
  return Math.abs(decoded - audioSize) <= 1024 + audioSize * 0.03;
}

function agrees(c: VoicemailCandidate, facts: AsteriskNotificationFacts): boolean {
  if (c.ref.mailbox.split('@')[0] !== facts.mailbox) return false;
  const caller = splitCallerId(c.callerId);
  if (facts.callerIdNum !== null && caller.num !== null && facts.callerIdNum !== caller.num) {
    return false;
  }
  if (facts.callerIdName !== null && caller.name !== null && facts.callerIdName !== caller.name) {
    return false;
  }
  if (facts.date !== null) {
    const delay = facts.date / 1000 - c.origTime;
    if (delay < EARLIEST_S || delay > LATEST_S) return false;
  }
  if (c.kind === 'wav') return c.audioSize !== null && sizeAgrees(c.audioSize, facts);
  return facts.attachment === null;
}

/**
 * Picks the voicemail an unsigned Asterisk notification is about, among the unlinked
 * voicemails of the same user: same mailbox, same caller, sent after recording, and an
 * attachment whose size is the audio's. The closest in time wins; none agreeing -> null
 * (the email is left alone, DESIGN.md §4).
 */
export function matchVoicemail(
  facts: AsteriskNotificationFacts,
  candidates: readonly VoicemailCandidate[],
): VoicemailCandidate | null {
  const date = facts.date;
  const fitting = candidates.filter((c) => agrees(c, facts));
  fitting.sort((a, b) =>
    date === null
      ? a.origTime - b.origTime
      : Math.abs(date / 1000 - a.origTime) - Math.abs(date / 1000 - b.origTime) ||
        a.origTime - b.origTime,
  );
  return fitting[0] ?? null;
}
