import type { MessageListing, StoredMessage } from '@vmsync/asterisk-spool';
import { describe, expect, it } from 'vitest';
import { diffMailbox } from './diff-mailbox.js';
import { toWatched, type WatchedMessage } from './watched-message.js';

function stored(msgId: string, folder: 'new' | 'saved' | 'deleted'): StoredMessage {
  return {
    status: 'known',
    mailbox: '1001@default',
    msgId,
    state: { folder, heard: folder !== 'new' },
    audio: { size: 10, sha256: 'a'.repeat(64), format: 'wav' },
    meta: { callerId: '"A" <1>', origTime: 1, duration: 2 },
    location: 'INBOX/0',
  };
}

function listing(messages: StoredMessage[], over: Partial<MessageListing> = {}): MessageListing {
  return { mailbox: '1001@default', messages, unknown: [], complete: true, ...over };
}

const seen = (...ms: StoredMessage[]) =>
  new Map<string, WatchedMessage>(ms.map((m) => [m.msgId, toWatched(m)]));

describe('diffMailbox', () => {
  it('reports new messages with no before, and state changes with the last state', () => {
    const diff = diffMailbox(
      listing([stored('a', 'saved'), stored('b', 'new')]),
      seen(stored('a', 'new')),
    );
    expect(diff.changed.map((t) => [t.msgId, t.before, t.after.folder])).toEqual([
      ['a', { folder: 'new', heard: false }, 'saved'],
      ['b', null, 'new'],
    ]);
    expect(diff.current).toHaveLength(2);
  });

  it('reports nothing for an unchanged mailbox', () => {
    const diff = diffMailbox(listing([stored('a', 'new')]), seen(stored('a', 'new')));
    expect(diff.changed).toEqual([]);
  });

  it('calls a message purged only when the listing is complete', () => {
    const gone = diffMailbox(listing([]), seen(stored('a', 'deleted')));
    expect(gone.changed[0]).toMatchObject({
      msgId: 'a',
      before: { folder: 'deleted' },
      after: { folder: 'purged' },
    });
    expect(
      diffMailbox(listing([], { complete: false }), seen(stored('a', 'deleted'))).changed,
    ).toEqual([]);
  });

  it('never takes an unreadable message for purged', () => {
    const unreadable = listing([], {
      unknown: [
        {
          status: 'unknown',
          mailbox: '1001@default',
          msgId: 'a',
          reason: 'metadata',
          detail: 'partial',
        },
      ],
    });
    expect(diffMailbox(unreadable, seen(stored('a', 'new'))).changed).toEqual([]);
    const anonymous = listing([], {
      complete: false, // the reader says an unreadable entry could hide a message
      unknown: [
        {
          status: 'unknown',
          mailbox: '1001@default',
          msgId: null,
          reason: 'metadata',
          detail: 'partial',
        },
      ],
    });
    expect(diffMailbox(anonymous, seen(stored('a', 'new'))).changed).toEqual([]);
  });

  it('does not report a purged message twice', () => {
    const purged = { ...toWatched(stored('a', 'deleted')), folder: 'purged' as const };
    expect(diffMailbox(listing([]), new Map([['a', purged]])).changed).toEqual([]);
  });
});
