import {
  type EmailState,
  emailDeleted,
  type PairKind,
  type VoicemailState,
  voicemailDeleted,
} from '@vmsync/events';
import { type Decision, toEmail, toVoicemail } from './decision.js';

/**
 * DESIGN.md §3.1, for start-up and for the moment a pair is first linked: compare the two
 * current states and move the pair only towards "more processed" (Deleted > Heard/Read >
 * Unheard/Unread). Deletion outranks read state. An unknown side never causes an action:
 * a message that could not be found is not a deleted one.
 */
export function reconcile(
  kind: PairKind,
  voicemail: VoicemailState | 'unknown',
  email: EmailState | 'unknown',
): Decision[] {
  if (voicemail === 'unknown' || email === 'unknown') return [];
  const voicemailGone = voicemailDeleted(voicemail);
  const emailGone = emailDeleted(email);
  if (voicemailGone && !emailGone) return [toEmail('ensure-trash')];
  if (voicemailGone || emailGone) {
    return kind === 'wav' && emailGone && !voicemailGone ? [toVoicemail('ensure-deleted')] : [];
  }
  if (voicemail.heard && !email.read) return [toEmail('ensure-read')];
  if (kind === 'wav' && !voicemail.heard && email.read) return [toVoicemail('ensure-heard')];
  return [];
}
