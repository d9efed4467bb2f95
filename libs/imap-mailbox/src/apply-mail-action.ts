import type { EmailState, MailAction } from '@vmsync/events';
import { type EmailCopy, emailStateOf, principalCopy } from './email-state.js';
import { MailboxError } from './mailbox-error.js';
import type { MailboxSession } from './mailbox-session.js';

export type ApplyOutcome =
  | { kind: 'applied'; before: EmailState; after: EmailState }
  | { kind: 'already'; state: EmailState }
  | { kind: 'not-found' };

/** What the action sets, as an intent's `expect` (IntentLog). */
export function intendedFields(action: MailAction): Partial<EmailState> {
  switch (action) {
    case 'ensure-read':
      return { read: true };
    case 'ensure-unread':
      return { read: false };
    case 'ensure-trash':
      return { location: 'trash' };
    case 'ensure-inbox':
      return { location: 'inbox' };
  }
}

export function satisfies(state: EmailState, action: MailAction): boolean {
  const want = intendedFields(action);
  return (Object.keys(want) as (keyof EmailState)[]).every((k) => state[k] === want[k]);
}

function byFolder(copies: readonly EmailCopy[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const c of copies) map.set(c.folder, [...(map.get(c.folder) ?? []), c.uid]);
  return map;
}

/** One step towards the action's state from `copies` (which do not satisfy it yet). */
async function step(
  session: MailboxSession,
  copies: EmailCopy[],
  action: MailAction,
): Promise<void> {
  const { plan } = session;
  const principal = principalCopy(copies);
  if (principal === undefined) return;
  switch (action) {
    case 'ensure-read':
    case 'ensure-unread':
      // The copy that decides the state (DESIGN.md §2): on Gmail flags belong to the message.
      await session.setSeen(principal.folder, [principal.uid], action === 'ensure-read');
      return;
    case 'ensure-trash': {
      // Every live copy goes; on Gmail moving the INBOX (or All Mail) copy trashes the message.
      const live = copies.filter((c) => c.role !== 'trash');
      const first = live.find((c) => c.role === 'inbox') ?? live[0];
      if (first === undefined) return;
      const targets = plan.gmail ? [first] : live;
      for (const [folder, uids] of byFolder(targets)) await session.move(folder, uids, plan.trash);
      return;
    }
    case 'ensure-inbox': {
      const from = copies.find((c) => c.role === 'trash') ?? principal;
      if (plan.gmail && from.role === 'archive') {
        // Gmail: an archived message gets its INBOX label back; expunging it from All Mail would trash it.
        await session.copy(from.folder, [from.uid], plan.inbox);
      } else {
        await session.move(from.folder, [from.uid], plan.inbox);
      }
      return;
    }
  }
}

/**
 * Makes the email so (DESIGN.md §1: never a toggle). Finds it by its stable id; does
 * nothing when it already is so; calls `beforeChange` (to record the intent) before the
 * first change; checks the result by finding it again. An IMAP failure throws (retriable);
 * an email that is nowhere is `not-found`.
 */
export async function applyMailAction(
  session: MailboxSession,
  emailId: string,
  action: MailAction,
  beforeChange: (current: EmailState) => Promise<void>,
): Promise<ApplyOutcome> {
  // Empty folders are not searched (one LIST-STATUS instead of a SELECT and a SEARCH each):
  // a copy moved into one at this very moment is missed, and the command then finds the
  // email elsewhere or not at all (never a deletion). The watcher's purge check searches all.
  let copies = await session.locate(emailId, { skipEmpty: true });
  if (copies.length === 0) return { kind: 'not-found' };
  const before = emailStateOf(copies);
  if (satisfies(before, action)) return { kind: 'already', state: before };
  await beforeChange(before);
  // A flag change moves nothing: the same copies, their flags read again, unless one is gone.
  const flagsOnly = action === 'ensure-read' || action === 'ensure-unread';
  // Duplicates (same Message-ID in several folders) may need one step each.
  for (let attempt = 0; attempt < 4; attempt++) {
    await step(session, copies, action);
    const refreshed = flagsOnly ? await session.refreshFlags(copies) : [];
    copies =
      flagsOnly && refreshed.length === copies.length
        ? refreshed
        : await session.locate(emailId, { skipEmpty: true });
    if (copies.length === 0) {
      throw new MailboxError('MAILBOX_IMAP_FAILED', `${emailId} vanished while being changed`, {
        retriable: true,
      });
    }
    const after = emailStateOf(copies);
    if (satisfies(after, action)) return { kind: 'applied', before, after };
  }
  throw new MailboxError(
    'MAILBOX_IMAP_FAILED',
    `${action} on ${emailId} did not take effect after 4 steps`,
    { retriable: true },
  );
}
