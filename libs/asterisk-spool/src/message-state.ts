import type { VoicemailState } from '@vmsync/events';
import { folderRank, folderState, type SpoolFolder } from './spool-layout.js';

export interface MessageCopy {
  folder: SpoolFolder;
  msgnum: number;
}

/** A copy that could not be read; `folder` is null when it sits in a folder Asterisk does not know. */
export interface UnreadableCopy {
  folder: SpoolFolder | null;
  reason: string;
}

export type DerivedState =
  | { status: 'known'; state: VoicemailState; best: MessageCopy }
  | { status: 'unknown'; reason: string };

/** new < saved < deleted: the further left, the more a copy says about the message. */
function stateRank(folder: SpoolFolder | null): number {
  if (folder === null) return 0;
  const s = folderState(folder).folder;
  return s === 'new' ? 0 : s === 'saved' ? 1 : 2;
}

/**
 * DESIGN.md §7 for one msg_id: its state is that of its best copy (INBOX, Urgent, Old, the
 * other folders, Deleted), so a backup copy in Deleted never makes a live message deleted.
 * A copy that cannot be read makes the message unknown if it might outrank the readable
 * ones; an unreadable copy in an unknown folder might be anything.
 */
export function deriveMessageState(
  copies: readonly MessageCopy[],
  unreadable: readonly UnreadableCopy[],
): DerivedState {
  let best: MessageCopy | undefined;
  for (const c of copies) {
    if (
      best === undefined ||
      folderRank(c.folder) < folderRank(best.folder) ||
      (c.folder === best.folder && c.msgnum < best.msgnum)
    ) {
      best = c;
    }
  }
  const blocking = unreadable.filter(
    (u) => best === undefined || stateRank(u.folder) < stateRank(best.folder),
  );
  const first = blocking[0];
  if (first !== undefined) {
    return { status: 'unknown', reason: `${first.folder ?? 'unknown folder'}: ${first.reason}` };
  }
  if (best === undefined) return { status: 'unknown', reason: 'no copy found' };
  return { status: 'known', state: folderState(best.folder), best };
}
