import type { MessageListing } from '@vmsync/asterisk-spool';
import type { VoicemailState } from '@vmsync/events';
import { stateOf, toWatched, type WatchedMessage } from './watched-message.js';

export interface Transition {
  msgId: string;
  before: VoicemailState | null;
  after: WatchedMessage;
}

export interface MailboxDiff {
  /** Messages whose state differs from the last observation (or are new, or purged). */
  changed: Transition[];
  /** Every message as it is now (for the start-up snapshot), purged ones excluded. */
  current: Transition[];
  /** Seen but unreadable now: look again later; never taken for gone. */
  unknown: number;
}

const same = (a: VoicemailState, b: VoicemailState) => a.folder === b.folder && a.heard === b.heard;

/**
 * Compares a fresh listing with the last observations. A message that is no longer
 * listed is purged only when the listing is complete and the message is not among the
 * unreadable ones: nothing is ever taken for gone because it could not be read.
 */
export function diffMailbox(
  listing: MessageListing,
  observed: ReadonlyMap<string, WatchedMessage>,
): MailboxDiff {
  const changed: Transition[] = [];
  const current: Transition[] = [];
  const listed = new Set<string>();
  for (const message of listing.messages) {
    listed.add(message.msgId);
    const before = observed.get(message.msgId);
    const t = {
      msgId: message.msgId,
      before: before ? stateOf(before) : null,
      after: toWatched(message),
    };
    current.push(t);
    if (!before || !same(stateOf(before), message.state)) changed.push(t);
  }
  // `complete` already says whether an unreadable entry could hide a message.
  const unreadable = new Set(listing.unknown.map((u) => u.msgId).filter((id) => id !== null));
  if (listing.complete) {
    for (const [msgId, last] of observed) {
      if (listed.has(msgId) || unreadable.has(msgId) || last.folder === 'purged') continue;
      changed.push({ msgId, before: stateOf(last), after: { ...last, folder: 'purged' } });
    }
  }
  return { changed, current, unknown: listing.unknown.length };
}
