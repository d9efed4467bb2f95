import type { EmailState, Notification } from '@vmsync/events';
import type { Look, ObservedEmail } from '@vmsync/imap-mailbox';
import type { Observation } from '@vmsync/store';

export interface DetectedChange {
  emailId: string;
  phase: 'snapshot' | 'change';
  before: EmailState | null;
  after: EmailState;
  notification: Notification;
}

export const stateOf = (o: EmailState): EmailState => ({ location: o.location, read: o.read });

const same = (a: EmailState, b: EmailState) => a.location === b.location && a.read === b.read;

/** Ids the watcher holds as present: the ones a look must account for. */
export function presentIds(known: ReadonlyMap<string, Observation<ObservedEmail>>): string[] {
  return [...known].filter(([, o]) => o.state.location !== 'purged').map(([id]) => id);
}

/**
 * Pure: what a complete look changed against the last observations. A notification seen
 * for the first time is a `snapshot` during the start-up look (else a `change` with no
 * `before`); a known one is published only when its state moved — so a restart publishes
 * only real changes. Only ids the look confirmed gone become `purged`. `missed`: what
 * vmsync left where the look found a user had already changed it back (missedChange).
 */
export function detectChanges(
  known: ReadonlyMap<string, Observation<ObservedEmail>>,
  look: Look,
  startup: boolean,
  missed: ReadonlyMap<string, EmailState> = new Map(),
): DetectedChange[] {
  const changes: DetectedChange[] = [];
  for (const [emailId, found] of look.emails) {
    const prev = known.get(emailId);
    const left = missed.get(emailId);
    if (left !== undefined && !same(left, found.state)) {
      // vmsync's own change came and went between two looks: the user's change starts
      // from what vmsync left (missedChange), even when it ends where the last look was.
      changes.push({
        emailId,
        phase: 'change',
        before: stateOf(left),
        after: found.state,
        notification: found.notification,
      });
    } else if (prev === undefined) {
      changes.push({
        emailId,
        phase: startup ? 'snapshot' : 'change',
        before: null,
        after: found.state,
        notification: found.notification,
      });
    } else if (!same(prev.state, found.state)) {
      changes.push({
        emailId,
        phase: 'change',
        before: stateOf(prev.state),
        after: found.state,
        notification: found.notification,
      });
    }
  }
  for (const emailId of look.purged) {
    const prev = known.get(emailId);
    if (prev === undefined || prev.state.location === 'purged') continue;
    changes.push({
      emailId,
      phase: 'change',
      before: stateOf(prev.state),
      after: { location: 'purged', read: prev.state.read },
      notification: prev.state.notification,
    });
  }
  return changes;
}
