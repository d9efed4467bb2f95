import { describe, expect, it } from 'vitest';
import type { Intent } from './intents.js';
import { missedChange } from './missed-change.js';

interface Mail {
  location: string;
  read: boolean;
}
const applied = (expect: Partial<Mail>, appliedAt: number): Intent<Mail> => ({
  commandId: `c${appliedAt}`,
  expect,
  at: appliedAt - 1,
  appliedAt,
});
const mail = (location: string, read: boolean): Mail => ({ location, read });

describe('missedChange', () => {
  it('finds the Trash vmsync left when the look sees the email back in the inbox', () => {
    const trashed = [applied({ location: 'trash' }, 10)];
    expect(missedChange(trashed, mail('inbox', false), mail('inbox', false))).toEqual(
      mail('trash', false),
    );
  });

  it('finds a \\Seen vmsync set that the user cleared before the look', () => {
    const read = [applied({ read: true }, 10)];
    expect(missedChange(read, mail('inbox', false), mail('inbox', false))).toEqual(
      mail('inbox', true),
    );
  });

  it('keeps what the user changed beside it: restored and read, from the Trash vmsync left', () => {
    const trashed = [applied({ location: 'trash' }, 10)];
    expect(missedChange(trashed, mail('inbox', false), mail('inbox', true))).toEqual(
      mail('trash', false),
    );
  });

  it('is nothing when the look finds what vmsync set (the echo itself)', () => {
    const read = [applied({ read: true }, 10)];
    expect(missedChange(read, mail('inbox', false), mail('inbox', true))).toBeNull();
    expect(missedChange(read, mail('inbox', false), mail('trash', true))).toBeNull();
  });

  it('judges each field by the latest thing vmsync set: read then unread, found unread, is no user change', () => {
    const intents = [applied({ read: false }, 20), applied({ read: true }, 10)];
    expect(missedChange(intents, mail('inbox', false), mail('inbox', false))).toBeNull();
    expect(missedChange(intents, mail('inbox', false), mail('inbox', true))).toEqual(
      mail('inbox', false),
    );
  });

  it('is nothing without applied intents', () => {
    expect(missedChange<Mail>([], mail('inbox', false), mail('trash', true))).toBeNull();
  });
});
