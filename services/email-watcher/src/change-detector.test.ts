import { type EmailState, NEVER } from '@vmsync/events';
import type { FoundEmail, Look, ObservedEmail } from '@vmsync/imap-mailbox';
import type { Observation } from '@vmsync/store';
import { describe, expect, it } from 'vitest';
import { detectChanges, presentIds } from './change-detector.js';

const notification = {
  messageId: '<a@pbx>',
  from: 'asterisk@pbx',
  date: null,
  headers: {},
  attachment: null,
};
const found = (emailId: string, state: EmailState): FoundEmail => ({
  emailId,
  state,
  notification,
  copies: [],
});
const seen = (state: EmailState): Observation<ObservedEmail> => ({
  state: { ...state, notification },
  observedAt: 1,
  userChangedAt: NEVER,
});
const look = (emails: FoundEmail[], purged: string[] = []): Look => ({
  emails: new Map(emails.map((e) => [e.emailId, e])),
  purged,
});
const inboxUnread: EmailState = { location: 'inbox', read: false };

describe('detectChanges', () => {
  it('first sight at start-up is a snapshot with no before; later a change with no before', () => {
    const l = look([found('mid:a', inboxUnread)]);
    expect(detectChanges(new Map(), l, true)).toEqual([
      { emailId: 'mid:a', phase: 'snapshot', before: null, after: inboxUnread, notification },
    ]);
    expect(detectChanges(new Map(), l, false)[0]?.phase).toBe('change');
  });

  it('publishes a known email only when its state moved (a restart sends only real changes)', () => {
    const known = new Map([
      ['mid:a', seen(inboxUnread)],
      ['mid:b', seen(inboxUnread)],
    ]);
    const changes = detectChanges(
      known,
      look([found('mid:a', inboxUnread), found('mid:b', { location: 'trash', read: false })]),
      true,
    );
    expect(changes).toEqual([
      {
        emailId: 'mid:b',
        phase: 'change',
        before: inboxUnread,
        after: { location: 'trash', read: false },
        notification,
      },
    ]);
  });

  it('purges only what the look confirmed gone, once, with the last notification', () => {
    const trashRead: EmailState = { location: 'trash', read: true };
    const known = new Map([
      ['mid:a', seen(trashRead)],
      ['mid:gone', seen({ location: 'purged', read: true })],
    ]);
    expect(presentIds(known)).toEqual(['mid:a']);
    expect(detectChanges(known, look([], ['mid:a', 'mid:gone']), false)).toEqual([
      {
        emailId: 'mid:a',
        phase: 'change',
        before: trashRead,
        after: { location: 'purged', read: true },
        notification,
      },
    ]);
    // neither found nor confirmed gone (moved during the look): unknown, nothing published
    expect(detectChanges(known, look([]), false)).toEqual([]);
  });
});
