import type { EmailState, VoicemailState } from '@vmsync/events';
import { describe, expect, it } from 'vitest';
import {
  type EmailCase,
  emailCaseNames,
  emailCases,
  type VoicemailCase,
  voicemailCaseNames,
  voicemailCases,
} from './cases.js';
import type { Decision } from './decision.js';
import { changeRules } from './expected.js';
import { onEmailChange, onVoicemailChange } from './on-change.js';
import { expectedDecisions, firingRules, type Observed } from './oracle.js';

const kinds = ['text', 'wav'] as const;
const voicemails = [...voicemailCaseNames, 'unknown'] as const;
const emails = [...emailCaseNames, 'unknown'] as const;

const vm = (c: VoicemailCase | 'unknown'): VoicemailState | 'unknown' =>
  c === 'unknown' ? c : voicemailCases[c];
const em = (c: EmailCase | 'unknown'): EmailState | 'unknown' =>
  c === 'unknown' ? c : emailCases[c];
const keys = (ds: readonly Decision[]) => ds.map((d) => `${d.side}:${d.action}`).sort();

function decide(kind: (typeof kinds)[number], o: Observed): Decision[] {
  return o.side === 'voicemail'
    ? onVoicemailChange(kind, voicemailCases[o.before], voicemailCases[o.after], em(o.email))
    : onEmailChange(kind, emailCases[o.before], emailCases[o.after], vm(o.voicemail));
}

/** Every before -> after of one side (including no change), x the other side, x kind. */
const observations = kinds.flatMap((kind) => [
  ...voicemailCaseNames.flatMap((before) =>
    voicemailCaseNames.flatMap((after) =>
      emails.map((email) => ({ kind, o: { side: 'voicemail', before, after, email } as Observed })),
    ),
  ),
  ...emailCaseNames.flatMap((before) =>
    emailCaseNames.flatMap((after) =>
      voicemails.map((voicemail) => ({
        kind,
        o: { side: 'email', before, after, voicemail } as Observed,
      })),
    ),
  ),
]);

function label({ kind, o }: (typeof observations)[number]): string {
  return o.side === 'voicemail'
    ? `${kind}: voicemail ${o.before} -> ${o.after}, email ${o.email}`
    : `${kind}: email ${o.before} -> ${o.after}, voicemail ${o.voicemail}`;
}

describe('normal operation, every single-side transition', () => {
  it('covers 2 kinds x (7 x 7 voicemail x 8 email + 7 x 7 email x 8 voicemail)', () => {
    expect(observations).toHaveLength(2 * 2 * 7 * 7 * 8);
  });

  it.each(observations.map((x) => [label(x), x] as const))('%s', (_, { kind, o }) => {
    const sources = firingRules(kind, o).map((r) => r.source);
    expect(keys(decide(kind, o)), sources.join('; ')).toEqual(keys(expectedDecisions(kind, o)));
  });
});

describe('the decisions of one observation', () => {
  const contradictions = [
    ['email:ensure-read', 'email:ensure-unread'],
    ['email:ensure-trash', 'email:ensure-inbox'],
    ['voicemail:ensure-heard', 'voicemail:ensure-unheard'],
    ['voicemail:ensure-deleted', 'voicemail:ensure-saved'],
  ] as const;

  it('never contradict each other and name each command once', () => {
    for (const { kind, o } of observations) {
      const got = keys(decide(kind, o));
      expect(new Set(got).size, label({ kind, o })).toBe(got.length);
      for (const [a, b] of contradictions) {
        expect(got.includes(a) && got.includes(b), label({ kind, o })).toBe(false);
      }
    }
  });

  it('settle deletion before read state, side by side', () => {
    const deletion = new Set(['ensure-trash', 'ensure-inbox', 'ensure-deleted', 'ensure-saved']);
    for (const { kind, o } of observations) {
      for (const side of ['email', 'voicemail'] as const) {
        const mine = decide(kind, o).filter((d) => d.side === side);
        const firstSeen = mine.findIndex((d) => !deletion.has(d.action));
        const lastDeletion = mine.findLastIndex((d) => deletion.has(d.action));
        if (firstSeen >= 0) expect(lastDeletion, label({ kind, o })).toBeLessThan(firstSeen);
      }
    }
  });

  it('are nothing for no change, and nothing for a text pair whose email changed', () => {
    for (const { kind, o } of observations) {
      if (o.before === o.after || (kind === 'text' && o.side === 'email')) {
        expect(decide(kind, o), label({ kind, o })).toEqual([]);
      }
    }
  });

  it('read a purged message the same whatever read flag it still carries', () => {
    const purgedHeard: VoicemailState = { folder: 'purged', heard: true };
    const purgedRead: EmailState = { location: 'purged', read: true };
    for (const { kind, o } of observations) {
      if (o.side === 'voicemail') {
        const before = o.before === 'purged' ? purgedHeard : voicemailCases[o.before];
        const after = o.after === 'purged' ? purgedHeard : voicemailCases[o.after];
        const email = o.email === 'purged' ? purgedRead : em(o.email);
        expect(keys(onVoicemailChange(kind, before, after, email)), label({ kind, o })).toEqual(
          keys(decide(kind, o)),
        );
      } else {
        const before = o.before === 'purged' ? purgedRead : emailCases[o.before];
        const after = o.after === 'purged' ? purgedRead : emailCases[o.after];
        const voicemail = o.voicemail === 'purged' ? purgedHeard : vm(o.voicemail);
        expect(keys(onEmailChange(kind, before, after, voicemail)), label({ kind, o })).toEqual(
          keys(decide(kind, o)),
        );
      }
    }
  });
});

describe('the rule table', () => {
  it('has no row that no transition reaches', () => {
    const reached = new Set(observations.flatMap(({ kind, o }) => firingRules(kind, o)));
    expect(changeRules.filter((r) => !reached.has(r))).toEqual([]);
  });
});
