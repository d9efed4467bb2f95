import type { EmailState, PairKind, VoicemailState } from '@vmsync/events';
import { emailChanges, voicemailChanges } from './changes.js';
import { type Decision, inOrder, toEmail, toVoicemail } from './decision.js';

/**
 * DESIGN.md §3.2: a voicemail changed (one observed transition, possibly several
 * changes). Commands follow from the change, not from a comparison with the email's
 * last known state: that state can be stale while commands are in flight, and an email
 * that already agrees makes a "make it so" command a no-op. The email's state is used
 * only for what cannot go stale: a purged email never comes back.
 */
export function onVoicemailChange(
  kind: PairKind,
  before: VoicemailState,
  after: VoicemailState,
  email: EmailState | 'unknown',
): Decision[] {
  const emailPurged = email !== 'unknown' && email.location === 'purged';
  const decisions: Decision[] = [];
  for (const change of voicemailChanges(before, after)) {
    if (change === 'deleted' || change === 'purged') decisions.push(toEmail('ensure-trash'));
    if (change === 'heard') decisions.push(toEmail('ensure-read'));
    if (kind !== 'wav') continue;
    if (change === 'undeleted' && emailPurged) decisions.push(toVoicemail('ensure-deleted'));
    if (change === 'undeleted' && !emailPurged) {
      decisions.push(toEmail('ensure-inbox'));
      if (!after.heard) decisions.push(toEmail('ensure-unread'));
    }
    if (change === 'unheard' && after.folder === 'new') decisions.push(toEmail('ensure-unread'));
  }
  return inOrder(decisions);
}

/**
 * DESIGN.md §3.2: a notification email changed. Text pairs sync one way (voicemail ->
 * email), so their email changes never produce commands.
 */
export function onEmailChange(
  kind: PairKind,
  before: EmailState,
  after: EmailState,
  voicemail: VoicemailState | 'unknown',
): Decision[] {
  if (kind !== 'wav') return [];
  const voicemailPurged = voicemail !== 'unknown' && voicemail.folder === 'purged';
  const decisions: Decision[] = [];
  for (const change of emailChanges(before, after)) {
    if (change === 'deleted' || change === 'purged') decisions.push(toVoicemail('ensure-deleted'));
    if (change === 'read') decisions.push(toVoicemail('ensure-heard'));
    if (change === 'unread' && after.location !== 'trash') {
      decisions.push(toVoicemail('ensure-unheard'));
    }
    if (change === 'undeleted' && voicemailPurged) decisions.push(toEmail('ensure-trash'));
    if (change === 'undeleted' && !voicemailPurged) {
      decisions.push(toVoicemail('ensure-saved'));
      decisions.push(toVoicemail(after.read ? 'ensure-heard' : 'ensure-unheard'));
    }
  }
  return inOrder(decisions);
}
