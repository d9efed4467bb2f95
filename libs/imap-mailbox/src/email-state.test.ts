import { describe, expect, it } from 'vitest';
import { type EmailCopy, emailStateOf } from './email-state.js';
import { findAttachment, parseHeaderFields } from './notification-message.js';
import { notificationSearch, stableIdOf, stableIdSearch, uidSet } from './notification-query.js';

const copy = (role: EmailCopy['role'], read: boolean): EmailCopy => ({
  folder: role,
  role,
  uid: 1,
  read,
});

describe('emailStateOf', () => {
  it('INBOX -> inbox, Trash -> trash, elsewhere -> archive', () => {
    expect(emailStateOf([copy('inbox', false)])).toEqual({ location: 'inbox', read: false });
    expect(emailStateOf([copy('trash', true)])).toEqual({ location: 'trash', read: true });
    expect(emailStateOf([copy('archive', true)])).toEqual({ location: 'archive', read: true });
  });

  it('a live copy outranks one in Trash (never a deletion while a copy remains)', () => {
    expect(emailStateOf([copy('trash', true), copy('archive', false)]).location).toBe('archive');
    expect(emailStateOf([copy('archive', true), copy('inbox', false)])).toEqual({
      location: 'inbox',
      read: false,
    });
  });

  it('no copy after a complete look is purged, keeping the last read state', () => {
    expect(emailStateOf([], true)).toEqual({ location: 'purged', read: true });
  });
});

describe('notification queries', () => {
  it('searches by the headers or the PBX senders', () => {
    expect(notificationSearch(['asterisk@pbx'])).toEqual({
      or: [
        { header: { 'X-Asterisk-CallerID': true } },
        { header: { 'X-Vmsync-Ref': true } },
        { from: 'asterisk@pbx' },
      ],
    });
  });

  it('stable ids: X-GM-MSGID on Gmail, else the Message-ID', () => {
    expect(stableIdOf('1790000000000000001', '<a@b>')).toBe('gm:1790000000000000001');
    expect(stableIdOf(undefined, ' <a@b> ')).toBe('mid:<a@b>');
    expect(stableIdOf(undefined, undefined)).toBeNull();
    expect(stableIdSearch('gm:17')).toEqual({ emailId: '17' });
    expect(stableIdSearch('mid:<a@b>')).toEqual({ header: { 'Message-ID': '<a@b>' } });
  });

  it('compresses UID sets', () => {
    expect(uidSet([10, 1, 2, 3, 7, 9, 2])).toBe('1:3,7,9:10');
  });
});

describe('notification parsing', () => {
  it('reads only the wanted headers, unfolded, lower-cased', () => {
    const raw = Buffer.from(
      'X-Asterisk-CallerID: 2001\r\nX-Asterisk-CallerIDName: Alice\r\n  Smith\r\nX-Other: no\r\n\r\n',
    );
    expect(parseHeaderFields(raw)).toEqual({
      'x-asterisk-callerid': '2001',
      'x-asterisk-calleridname': 'Alice Smith',
    });
  });

  it('finds the audio part as BODYSTRUCTURE describes it', () => {
    expect(
      findAttachment({
        type: 'multipart/mixed',
        childNodes: [
          { part: '1', type: 'text/plain', size: 7 },
          {
            part: '2',
            type: 'audio/x-wav',
            encoding: 'BASE64',
            size: 87_000,
            disposition: 'attachment',
            dispositionParameters: { filename: 'msg0000.wav' },
          },
        ],
      }),
    ).toEqual({ filename: 'msg0000.wav', size: 87_000, type: 'audio/x-wav', encoding: 'base64' });
    expect(findAttachment({ type: 'text/plain', size: 5 })).toBeNull();
  });
});
