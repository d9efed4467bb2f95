import type { MailAction, VoicemailAction } from './commands.js';
import { type EmailState, emailDeleted, type VoicemailState, voicemailDeleted } from './state.js';

/**
 * The two independent parts of a message's state that "newer wins" (DESIGN.md §3.3)
 * compares separately: whether it is deleted, and its read/heard flag. A command about
 * one part is refused only by a newer user change of that same part — compared per
 * whole message, a user reading an email would wrongly cancel an older "move it to
 * Trash" (found by the convergence property test).
 */
export type Part = 'deletion' | 'read';

export type PartTimes = Record<Part, number>;

export const NEVER: PartTimes = { deletion: 0, read: 0 };

export function voicemailChangedParts(
  before: VoicemailState | null,
  after: VoicemailState,
): Part[] {
  if (before === null) return [];
  const parts: Part[] = [];
  if (voicemailDeleted(before) !== voicemailDeleted(after)) parts.push('deletion');
  // A deleted message has no heard flag of its own (Asterisk's Deleted folder).
  else if (!voicemailDeleted(after) && before.heard !== after.heard) parts.push('read');
  return parts;
}

export function emailChangedParts(before: EmailState | null, after: EmailState): Part[] {
  if (before === null) return [];
  const parts: Part[] = [];
  if (emailDeleted(before) !== emailDeleted(after)) parts.push('deletion');
  if (before.read !== after.read) parts.push('read');
  return parts;
}

export function actionPart(action: MailAction | VoicemailAction): Part {
  switch (action) {
    case 'ensure-read':
    case 'ensure-unread':
    case 'ensure-heard':
    case 'ensure-unheard':
      return 'read';
    case 'ensure-trash':
    case 'ensure-inbox':
    case 'ensure-deleted':
    case 'ensure-saved':
      return 'deletion';
  }
}

/** The part times after a user change of `parts` observed at `at`. */
export function touch(times: PartTimes, parts: readonly Part[], at: number): PartTimes {
  const next = { ...times };
  for (const part of parts) next[part] = at;
  return next;
}
