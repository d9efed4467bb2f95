import {
  type EmailState,
  emailDeleted,
  type VoicemailState,
  voicemailDeleted,
  voicemailHeard,
} from '@vmsync/events';

/**
 * What one observed transition of a voicemail means, in the terms of DESIGN.md §3.2.
 * Heard is the derived state (not Deleted and heard), so a voicemail undeleted straight
 * into a heard folder is both `undeleted` and `heard`.
 */
export type VoicemailChange = 'deleted' | 'purged' | 'undeleted' | 'heard' | 'unheard' | 'moved';

/**
 * What one observed transition of a notification email means. Read is \Seen wherever the
 * email is (DESIGN.md §2), but a purged email has no read state left.
 */
export type EmailChange =
  | 'deleted'
  | 'purged'
  | 'undeleted'
  | 'read'
  | 'unread'
  | 'archived'
  | 'unarchived';

export function voicemailChanges(before: VoicemailState, after: VoicemailState): VoicemailChange[] {
  const changes: VoicemailChange[] = [];
  const wasDeleted = voicemailDeleted(before);
  const isDeleted = voicemailDeleted(after);
  if (!wasDeleted && isDeleted) changes.push('deleted');
  if (before.folder === 'deleted' && after.folder === 'purged') changes.push('purged');
  if (wasDeleted && !isDeleted) changes.push('undeleted');
  if (!voicemailHeard(before) && voicemailHeard(after)) changes.push('heard');
  if (voicemailHeard(before) && !isDeleted && !after.heard) changes.push('unheard');
  if (!wasDeleted && !isDeleted && before.folder !== after.folder) changes.push('moved');
  return changes;
}

export function emailChanges(before: EmailState, after: EmailState): EmailChange[] {
  const changes: EmailChange[] = [];
  const wasDeleted = emailDeleted(before);
  const isDeleted = emailDeleted(after);
  if (!wasDeleted && isDeleted) changes.push('deleted');
  if (before.location === 'trash' && after.location === 'purged') changes.push('purged');
  if (wasDeleted && !isDeleted) changes.push('undeleted');
  const seenKnown = before.location !== 'purged' && after.location !== 'purged';
  if (seenKnown && !before.read && after.read) changes.push('read');
  if (seenKnown && before.read && !after.read) changes.push('unread');
  if (before.location === 'inbox' && after.location === 'archive') changes.push('archived');
  if (before.location === 'archive' && after.location === 'inbox') changes.push('unarchived');
  return changes;
}
