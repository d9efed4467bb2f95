import {
  type EmailState,
  emailDeleted,
  type PairKind,
  type VoicemailState,
  voicemailDeleted,
} from '@vmsync/events';
import { type Decision, toVoicemail } from './decision.js';

/**
 * When a user last changed each side of a pair in a way the echo rule compares
 * (deployment-clock observation times; 0: never seen). The voicemail counts any change to
 * whether it is deleted or heard (either can send a read state to the email); the email
 * counts changes to its read state.
 */
export interface UserChanges {
  readonly voicemailAt: number;
  readonly emailReadAt: number;
}

/** Whether a user's voicemail change moves `voicemailAt`. */
export function voicemailUserChange(before: VoicemailState, after: VoicemailState): boolean {
  return voicemailDeleted(before) !== voicemailDeleted(after) || before.heard !== after.heard;
}

/** Whether a user's email change moves `emailReadAt` (a purged email has no read state). */
export function emailUserChange(before: EmailState, after: EmailState): boolean {
  return before.location !== 'purged' && after.location !== 'purged' && before.read !== after.read;
}

/** Whether an email's echo can decide anything at all (the engine reads no state otherwise). */
export function emailEchoMayDecide(kind: PairKind, before: EmailState, after: EmailState): boolean {
  return kind === 'wav' && emailDeleted(before) && !emailDeleted(after) && !after.read;
}

/**
 * DESIGN.md §3.3: an echo decides nothing, except where newer wins would otherwise leave a
 * pair in disagreement. An email marked unread in Trash is not synced (§3.2); made just
 * after the phone user undeleted a heard voicemail, it is newer than the "mark read" of
 * that undelete, so the mail-actuator skips the mark read, and vmsync's own move brings
 * the email back to the Inbox unread beside a heard voicemail (soak, seed 29902). Once the
 * email is out of Trash its unread counts as the user's newest word on the pair: it goes
 * to the voicemail, unless a user changed the voicemail after it. The command's cause is
 * the unread (`emailReadAt`), so newer wins at the voicemail-actuator judges it by when
 * the user made it. It goes even when the voicemail is known unheard: a "mark heard" of an
 * older read in Trash may not have reached it yet, and this command, decided after it,
 * lands after it (CI, seed -2073562947).
 */
export function onEmailEcho(
  kind: PairKind,
  before: EmailState,
  after: EmailState,
  voicemail: VoicemailState | 'unknown',
  users: UserChanges,
): Decision[] {
  if (!emailEchoMayDecide(kind, before, after) || voicemail === 'unknown') return [];
  if (voicemailDeleted(voicemail)) return [];
  return users.emailReadAt > users.voicemailAt ? [toVoicemail('ensure-unheard')] : [];
}
