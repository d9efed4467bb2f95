import type { PairKind } from '@vmsync/events';
import { type EmailCase, emailGroups, type VoicemailCase, voicemailGroups } from './cases.js';
import type { Decision } from './decision.js';
import {
  type ChangeRule,
  type Condition,
  changeRules,
  emailChangeDefinitions,
  voicemailChangeDefinitions,
} from './expected.js';

/**
 * Reads the hand-written rule table (expected.ts) as a specification: what a transition
 * of one side should produce. Used by the tests only; written without the rules' code.
 */
export type Observed =
  | { side: 'voicemail'; before: VoicemailCase; after: VoicemailCase; email: EmailCase | 'unknown' }
  | { side: 'email'; before: EmailCase; after: EmailCase; voicemail: VoicemailCase | 'unknown' };

const inGroup = <C extends string>(
  groups: Record<string, readonly C[]>,
  group: string,
  c: C | 'unknown',
) => c !== 'unknown' && (groups[group] ?? []).includes(c);

function holds(
  condition: Condition,
  voicemail: VoicemailCase | 'unknown',
  email: EmailCase | 'unknown',
) {
  const is =
    'voicemail' in condition
      ? inGroup<VoicemailCase>(voicemailGroups, condition.voicemail, voicemail)
      : inGroup<EmailCase>(emailGroups, condition.email, email);
  return condition.not ? !is : is;
}

function changed(rule: ChangeRule, o: Observed): boolean {
  if (rule.side === 'voicemail' && o.side === 'voicemail') {
    const d = voicemailChangeDefinitions[rule.change];
    return (
      inGroup<VoicemailCase>(voicemailGroups, d.from, o.before) &&
      inGroup<VoicemailCase>(voicemailGroups, d.to, o.after)
    );
  }
  if (rule.side === 'email' && o.side === 'email') {
    const d = emailChangeDefinitions[rule.change];
    return (
      inGroup<EmailCase>(emailGroups, d.from, o.before) &&
      inGroup<EmailCase>(emailGroups, d.to, o.after)
    );
  }
  return false;
}

/** The rules of the table that fire for this observation. */
export function firingRules(kind: PairKind, o: Observed): ChangeRule[] {
  const voicemail = o.side === 'voicemail' ? o.after : o.voicemail;
  const email = o.side === 'email' ? o.after : o.email;
  return changeRules.filter(
    (rule) =>
      rule.kinds.includes(kind) &&
      changed(rule, o) &&
      (rule.when ?? []).every((c) => holds(c, voicemail, email)),
  );
}

/** The table's expected decisions for this observation, once each. */
export function expectedDecisions(kind: PairKind, o: Observed): Decision[] {
  const all = firingRules(kind, o).flatMap((rule) => rule.actions);
  return [...new Map(all.map((d) => [`${d.side}:${d.action}`, d])).values()];
}
