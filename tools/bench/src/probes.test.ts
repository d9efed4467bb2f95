import { describe, expect, it } from 'vitest';
import { TlsRecordReader } from './probes.js';

const record = (type: number, body: number) =>
  Buffer.concat([Buffer.from([type, 3, 3, body >> 8, body & 0xff]), Buffer.alloc(body)]);

describe('TlsRecordReader', () => {
  it('counts the IMAP bytes of TLS 1.3 application-data records: "* OK Still here" is 17 of 39', () => {
    const reader = new TlsRecordReader();
    const stillHere = record(23, 34);
    expect(stillHere.length).toBe(39);
    expect(reader.read('a:in', stillHere, 39)).toEqual({ imapBytes: 17, unreadBytes: 0 });
  });

  it('reads several records in a segment and a record that spans segments', () => {
    const reader = new TlsRecordReader();
    const two = Buffer.concat([record(23, 23), record(23, 100)]);
    // The segment ends 60 B into the second record's body; the rest comes next.
    const first = two.subarray(0, 5 + 23 + 5 + 60);
    expect(reader.read('a:out', first, first.length)).toEqual({
      imapBytes: 6 + 83,
      unreadBytes: 0,
    });
    const rest = Buffer.concat([Buffer.alloc(40), record(23, 30)]);
    expect(reader.read('a:out', rest, rest.length)).toEqual({ imapBytes: 13, unreadBytes: 0 });
  });

  it('keeps directions and connections apart, and counts no IMAP in other record types', () => {
    const reader = new TlsRecordReader();
    expect(reader.read('a:in', record(22, 100), 105).imapBytes).toBe(0);
    expect(reader.read('b:in', record(23, 50), 55).imapBytes).toBe(33);
    expect(reader.read('a:out', record(23, 20), 25).imapBytes).toBe(3);
  });

  it('counts a stream it cannot follow as unread, not as IMAP', () => {
    const reader = new TlsRecordReader();
    // A capture cut at 3 B: no whole header.
    expect(reader.read('a:in', record(23, 50).subarray(0, 3), 55)).toEqual({
      imapBytes: 0,
      unreadBytes: 55,
    });
    expect(reader.read('a:in', record(23, 50), 55)).toEqual({ imapBytes: 0, unreadBytes: 55 });
    expect(reader.read('b:in', Buffer.from('not tls at all'), 14).unreadBytes).toBe(14);
  });
});
