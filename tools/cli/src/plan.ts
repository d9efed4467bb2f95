import type { PairKind } from '@vmsync/events';
import { type Decision, reconcile } from '@vmsync/rules/rules';
import type { PairView } from './sync-view.js';

/** What a reconciliation of one pair would do now, and from which states. */
export interface PairPlan {
  voicemail: string;
  email: string;
  kind: PairKind;
  voicemailState: string;
  emailState: string;
  decisions: Decision[];
  /** Why nothing can be decided (a side never observed). */
  unknown: string | null;
}

const describeVoicemail = (v: PairView['voicemail']): string =>
  v === null
    ? 'unknown'
    : v.state.folder === 'deleted' || v.state.folder === 'purged'
      ? v.state.folder
      : `${v.state.folder}, ${v.state.heard ? 'heard' : 'unheard'}`;

const describeEmail = (e: PairView['email']): string =>
  e === null ? 'unknown' : `${e.state.location}, ${e.state.read ? 'read' : 'unread'}`;

/**
 * DESIGN.md §3.1 applied to every pair of a user, from the states the rules last recorded:
 * the same pure `reconcile` the rules service runs at start-up, nothing re-implemented.
 */
export function planPairs(pairs: readonly PairView[]): PairPlan[] {
  return pairs.map((p) => {
    const voicemail = p.voicemail?.state ?? 'unknown';
    const email = p.email?.state ?? 'unknown';
    const missing = [p.voicemail === null && 'voicemail', p.email === null && 'email'].filter(
      Boolean,
    );
    return {
      voicemail: p.pair.voicemail,
      email: p.pair.email,
      kind: p.pair.kind,
      voicemailState: describeVoicemail(p.voicemail),
      emailState: describeEmail(p.email),
      decisions: reconcile(p.pair.kind, voicemail, email),
      unknown:
        missing.length === 0
          ? null
          : `the ${missing.join(' and ')} state is not known: nothing is done (a message that cannot be found is never taken as deleted)`,
    };
  });
}

export const describeDecision = (d: Decision): string => `${d.action} on the ${d.side}`;
