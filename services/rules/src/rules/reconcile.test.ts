import type { EmailState, VoicemailState } from '@vmsync/events';
import { describe, expect, it } from 'vitest';
import { emailCaseNames, emailCases, voicemailCaseNames, voicemailCases } from './cases.js';
import type { Decision } from './decision.js';
import { type StartupRow, startupRows } from './expected.js';
import { reconcile } from './reconcile.js';

const kinds = ['text', 'wav'] as const;
const voicemails = [...voicemailCaseNames, 'unknown'] as const;
const emails = [...emailCaseNames, 'unknown'] as const;

function voicemailOf(name: StartupRow['voicemail']): VoicemailState | 'unknown' {
  return name === 'unknown' ? name : voicemailCases[name];
}

function emailOf(name: StartupRow['email']): EmailState | 'unknown' {
  return name === 'unknown' ? name : emailCases[name];
}

const key = (d: Decision) => `${d.side}:${d.action}`;
const keys = (ds: readonly Decision[]) => ds.map(key).sort();

describe('the start-up table', () => {
  it('has exactly one row per kind x voicemail state x email state', () => {
    const all = kinds.flatMap((k) =>
      voicemails.flatMap((v) => emails.map((e) => `${k}|${v}|${e}`)),
    );
    const rows = startupRows.map((r) => `${r.kind}|${r.voicemail}|${r.email}`);
    expect(rows.length).toBe(2 * 8 * 8);
    expect([...rows].sort()).toEqual([...all].sort());
  });

  it('only ever moves a pair towards "more processed" (never undeletes, never unread)', () => {
    const forward = new Set([
      'email:ensure-trash',
      'voicemail:ensure-deleted',
      'email:ensure-read',
      'voicemail:ensure-heard',
    ]);
    for (const row of startupRows) for (const k of keys(row.actions)) expect(forward).toContain(k);
  });
});

describe('reconcile', () => {
  const cases = startupRows.map(
    (r) => [`${r.kind}: voicemail ${r.voicemail}, email ${r.email} -> ${r.outcome}`, r] as const,
  );

  it.each(cases)('%s', (_, row) => {
    const got = reconcile(row.kind, voicemailOf(row.voicemail), emailOf(row.email));
    expect(keys(got), row.source).toEqual(keys(row.actions));
  });

  it('reads a purged message the same whatever read flag it still carries', () => {
    const purgedHeard: VoicemailState = { folder: 'purged', heard: true };
    const purgedRead: EmailState = { location: 'purged', read: true };
    for (const kind of kinds) {
      for (const e of emails) {
        const canonical = reconcile(kind, voicemailCases.purged, emailOf(e));
        expect(keys(reconcile(kind, purgedHeard, emailOf(e)))).toEqual(keys(canonical));
      }
      for (const v of voicemails) {
        const canonical = reconcile(kind, voicemailOf(v), emailCases.purged);
        expect(keys(reconcile(kind, voicemailOf(v), purgedRead))).toEqual(keys(canonical));
      }
    }
  });
});
