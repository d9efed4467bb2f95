import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  causeOf,
  type DeletionCandidate,
  type FusePolicy,
  judgeDeletion,
} from './deletion-fuse.js';

const policy: FusePolicy = { maxShare: 0.5, minDeletions: 2, vanished: 'refuse' };
const base: DeletionCandidate = {
  phase: 'reconcile',
  cause: 'observed-deleted',
  recentDeletions: 0,
  mailboxSize: 10,
  tripped: false,
};

describe('judgeDeletion', () => {
  it('lets a user-observed change through, however many', () => {
    expect(judgeDeletion(policy, { ...base, phase: 'change', recentDeletions: 99 })).toEqual({
      allow: true,
    });
  });

  it('always lets the first minDeletions of a reconciliation through', () => {
    expect(judgeDeletion(policy, { ...base, mailboxSize: 1 }).allow).toBe(true);
    expect(judgeDeletion(policy, { ...base, mailboxSize: 1, recentDeletions: 1 }).allow).toBe(true);
    expect(judgeDeletion(policy, { ...base, mailboxSize: 1, recentDeletions: 2 })).toEqual({
      allow: false,
      reason: 'share',
      trips: true,
    });
  });

  it('refuses the deletion that would take a reconciliation past the share', () => {
    // 10 voicemails, 50%: the 5th passes, the 6th trips the fuse
    expect(judgeDeletion(policy, { ...base, recentDeletions: 4 }).allow).toBe(true);
    expect(judgeDeletion(policy, { ...base, recentDeletions: 5 })).toMatchObject({
      allow: false,
      reason: 'share',
    });
  });

  it('keeps refusing reconciliation deletions once tripped, but not user changes', () => {
    expect(judgeDeletion(policy, { ...base, tripped: true })).toEqual({
      allow: false,
      reason: 'tripped',
      trips: false,
    });
    expect(judgeDeletion(policy, { ...base, tripped: true, phase: 'change' }).allow).toBe(true);
  });

  it('refuses a deletion whose cause is a message found nowhere, in any phase', () => {
    for (const phase of ['change', 'reconcile'] as const) {
      expect(judgeDeletion(policy, { ...base, phase, cause: 'vanished' })).toMatchObject({
        allow: false,
        reason: 'vanished',
      });
    }
    const lenient = { ...policy, vanished: 'allow' as const };
    expect(judgeDeletion(lenient, { ...base, phase: 'change', cause: 'vanished' }).allow).toBe(
      true,
    );
  });

  it('never lets a reconciliation delete more than the share past the minimum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (size, done, share) => {
          const p = { ...policy, maxShare: share };
          const v = judgeDeletion(p, { ...base, mailboxSize: size, recentDeletions: done });
          if (v.allow) expect(done + 1 <= p.minDeletions || done + 1 <= share * size).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('causeOf', () => {
  const inbox = { location: 'inbox' as const, read: false };
  const trash = { location: 'trash' as const, read: false };
  const purgedMail = { location: 'purged' as const, read: false };
  it('a side in Deleted or Trash was observed deleted', () => {
    expect(causeOf(trash, inbox)).toBe('observed-deleted');
    expect(causeOf({ folder: 'deleted', heard: false }, null)).toBe('observed-deleted');
  });
  it('a purge straight from the Inbox, or with no history, is a vanishing', () => {
    expect(causeOf(purgedMail, inbox)).toBe('vanished');
    expect(causeOf(purgedMail, undefined)).toBe('vanished');
    expect(causeOf({ folder: 'purged', heard: true }, { folder: 'new', heard: false })).toBe(
      'vanished',
    );
  });
  it('a purge after a sighting in Deleted or Trash is not', () => {
    expect(causeOf(purgedMail, trash)).toBe('observed-deleted');
    expect(causeOf({ folder: 'purged', heard: true }, { folder: 'deleted', heard: true })).toBe(
      'observed-deleted',
    );
  });
});
