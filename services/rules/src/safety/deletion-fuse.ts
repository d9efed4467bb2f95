import {
  type EmailState,
  emailDeleted,
  type VoicemailState,
  voicemailDeleted,
} from '@vmsync/events';

export interface FusePolicy {
  /** A reconciliation may delete at most this share of a mailbox's voicemails... */
  maxShare: number;
  /** ...once more than this many deletions fall in one window (up to it always pass). */
  minDeletions: number;
  /** `refuse`: a deletion whose only evidence is that a message was found nowhere. */
  vanished: 'refuse' | 'allow';
}

/**
 * Why a side is to be deleted: its partner was seen in Deleted/Trash (`observed-deleted`),
 * or its partner was found nowhere with no sighting of its deletion (`vanished`).
 */
export type DeletionCause = 'observed-deleted' | 'vanished';

export interface DeletionCandidate {
  /** `reconcile`: start-up or link (states compared); `change`: a user's observed change. */
  phase: 'reconcile' | 'change';
  cause: DeletionCause;
  /** Deletions already let through for this mailbox in the current window. */
  recentDeletions: number;
  /** Voicemails of this mailbox that are not purged. */
  mailboxSize: number;
  /** The mailbox's fuse tripped earlier and no operator has reset it. */
  tripped: boolean;
}

export type FuseVerdict =
  | { allow: true }
  | { allow: false; reason: 'vanished' | 'share' | 'tripped'; trips: boolean };

/**
 * The safety fuse (pure): a deletion the rules decided is let through, or refused. A user's
 * observed change is trusted; a reconciliation that would delete more than `maxShare` of a
 * mailbox is not (a spool unmounted, a mailbox emptied by a fault look like mass deletion),
 * and nothing is deleted only because its partner was not found.
 */
export function judgeDeletion(policy: FusePolicy, c: DeletionCandidate): FuseVerdict {
  if (c.cause === 'vanished' && policy.vanished === 'refuse') {
    return { allow: false, reason: 'vanished', trips: false };
  }
  if (c.phase === 'change') return { allow: true };
  if (c.tripped) return { allow: false, reason: 'tripped', trips: false };
  const after = c.recentDeletions + 1;
  if (after > policy.minDeletions && after > policy.maxShare * c.mailboxSize) {
    return { allow: false, reason: 'share', trips: true };
  }
  return { allow: true };
}

/**
 * The cause of deleting the partner of a side now in `state`. `before` is that side's
 * previous observation when the deciding event reported it (a change), else undefined:
 * a purge with no sighting of the deletion first counts as vanished.
 */
export function causeOf(
  state: VoicemailState | EmailState,
  before: VoicemailState | EmailState | null | undefined,
): DeletionCause {
  const purged = 'folder' in state ? state.folder === 'purged' : state.location === 'purged';
  if (!purged) return 'observed-deleted';
  if (before === null || before === undefined) return 'vanished';
  const wasDeleted =
    'folder' in before ? voicemailDeleted(before) : emailDeleted(before as EmailState);
  return wasDeleted ? 'observed-deleted' : 'vanished';
}
