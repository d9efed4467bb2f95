import { VmsyncError } from '@vmsync/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type MessageMetadata,
  MessageMetadataError,
  parseMessageMetadata,
  serializeMessageMetadata,
} from './message-metadata.js';
import { metadataFor } from './test-fixtures.js';

// As leave_voicemail writes it (Asterisk 13+).
const ASTERISK_TXT = `;
; Message Information file
;
[message]
origmailbox=1001
context=from-internal
exten=1001
rdnis=unknown
priority=2
callerchan=PJSIP/100-00000002
callerid="Alice Example" <100>
origdate=Tue Nov 28 11:58:00 AM UTC 2023
origtime=1701172680
category=
msg_id=1701172680-00000003
flag=
duration=7
`;

function problemOf(text: string): string {
  try {
    parseMessageMetadata(text, 'msg0000.txt');
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(MessageMetadataError);
    return (error as MessageMetadataError).problem;
  }
}

describe('parseMessageMetadata', () => {
  it('reads what Asterisk writes', () => {
    const m = parseMessageMetadata(ASTERISK_TXT);
    expect(m).toMatchObject({
      origmailbox: '1001',
      context: 'from-internal',
      macrocontext: null,
      callerid: '"Alice Example" <100>',
      origtime: 1701172680,
      msgId: '1701172680-00000003',
      flag: '',
      duration: 7,
      extra: [],
    });
  });

  it('reads an Asterisk 1.x file: macrocontext, no msg_id', () => {
    const old =
      '[message]\norigmailbox=1001\ncontext=default\nmacrocontext=\nexten=s\npriority=2\ncallerchan=SIP/100-1\ncallerid=100\norigdate=Mon Jan  1 10:00:00 AM UTC 2007\norigtime=1167645600\ncategory=\nduration=4\n';
    const m = parseMessageMetadata(old);
    expect(m.msgId).toBeNull();
    expect(m.macrocontext).toBe('');
  });

  it('keeps unknown keys, takes the first of a repeated key, ignores other sections', () => {
    const m = parseMessageMetadata(
      '[message]\norigtime=1\nmsg_id=1-00000001\nmsg_id=2-00000002\nx-custom=yes\nduration=1\n[other]\nmsg_id=3\n',
    );
    expect(m.msgId).toBe('1-00000001');
    expect(m.extra).toEqual([['x-custom', 'yes']]);
  });

  it('accepts the object form and Windows line ends', () => {
    const m = parseMessageMetadata(
      '[message]\r\norigtime => 5\r\nmsg_id => 5-00000000\r\nduration => 2\r\n',
    );
    expect(m.origtime).toBe(5);
    expect(m.msgId).toBe('5-00000000');
  });

  it.each([
    ['empty', ''],
    ['whitespace', ' \n\n'],
    ['comments only', ';\n; Message Information file\n;\n'],
    ['cut mid-line', ASTERISK_TXT.slice(0, ASTERISK_TXT.indexOf('msg_id=') + 9)],
    ['cut before duration', ASTERISK_TXT.slice(0, ASTERISK_TXT.indexOf('duration='))],
    ['no final newline', ASTERISK_TXT.slice(0, -1)],
  ])('a %s file is partial (being written), not a message', (_name, text) => {
    expect(problemOf(text)).toBe('partial');
  });

  it.each([
    ['key before a section', 'origtime=1\n[message]\nduration=1\n'],
    ['garbage line', '[message]\nthis is not a key value\norigtime=1\nduration=1\n'],
    ['bad duration', '[message]\norigtime=1\nduration=abc\n'],
    ['negative origtime', '[message]\norigtime=-5\nduration=1\n'],
    ['no origtime', '[message]\nmsg_id=1-1\nduration=1\n'],
    ['NUL bytes', '[message]\norigtime=1\0\nduration=1\n'],
    ['unclosed section', '[message\norigtime=1\nduration=1\n'],
    ['no [message]', '[other]\norigtime=1\nduration=1\n'],
    ['huge', `[message]\nx=${'a'.repeat(70_000)}\norigtime=1\nduration=1\n`],
  ])('a file with %s is corrupt', (_name, text) => {
    expect(problemOf(text)).toBe('corrupt');
  });

  it('marks partial as retriable and names the file', () => {
    try {
      parseMessageMetadata('', '/spool/default/1001/INBOX/msg0003.txt');
      expect.unreachable();
    } catch (error) {
      const e = error as MessageMetadataError;
      expect(e.code).toBe('SPOOL_METADATA_PARTIAL');
      expect(e.retriable).toBe(true);
      expect(e.message).toContain('msg0003.txt');
    }
  });
});

describe('serializeMessageMetadata', () => {
  it('writes the layout Asterisk writes, duration last', () => {
    const text = serializeMessageMetadata(parseMessageMetadata(ASTERISK_TXT));
    expect(text).toBe(ASTERISK_TXT);
  });

  it('escapes what Asterisk would read as a comment or an object marker', () => {
    const m = metadataFor('1-00000001', { callerid: '>"A;B" <1;2>', category: 'x\ny' });
    const back = parseMessageMetadata(serializeMessageMetadata(m));
    expect(back.callerid).toBe('>"A;B" <1;2>');
    expect(back.category).toBe('x y');
  });
});

// Values survive a round trip when they are single-line and not padded with spaces.
const value = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n\0]/g, ' ').trim());
const metadata: fc.Arbitrary<MessageMetadata> = fc.record({
  origmailbox: value,
  context: value,
  macrocontext: fc.option(value, { nil: null }),
  exten: value,
  rdnis: value,
  priority: value,
  callerchan: value,
  callerid: value,
  origdate: value,
  origtime: fc.integer({ min: 0, max: 2 ** 40 }),
  category: value,
  msgId: fc.option(fc.stringMatching(/^[0-9]{1,12}-[0-9a-f]{8}$/), { nil: null }),
  flag: value,
  duration: fc.integer({ min: 0, max: 100_000 }),
  extra: fc.constant([]),
});

describe('fuzz', () => {
  it('serialize then parse gives the same metadata', () => {
    fc.assert(
      fc.property(metadata, (m) => {
        expect(parseMessageMetadata(serializeMessageMetadata(m))).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a VmsyncError, on any input, quickly', () => {
    const prefixOfValid = fc.tuple(metadata, fc.nat()).map(([m, cut]) => {
      const t = serializeMessageMetadata(m);
      return t.slice(0, cut % (t.length + 1));
    });
    const mutatedValid = fc
      .tuple(metadata, fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }))
      .map(([m, at, junk]) => {
        const t = serializeMessageMetadata(m);
        const i = at % (t.length + 1);
        return t.slice(0, i) + junk + t.slice(i);
      });
    const anything = fc.string({ unit: 'binary', maxLength: 400 });
    const configish = fc
      .array(
        fc.constantFrom(
          '[message]',
          ';',
          ';--',
          '--;',
          '\\;',
          '=',
          '=>',
          '\n',
          'duration=1',
          'origtime=',
          'msg_id=',
          '[',
          ']',
          '(',
          ')',
          'a',
          ' ',
          '#include x',
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(prefixOfValid, mutatedValid, anything, configish), (text) => {
        const start = performance.now();
        try {
          parseMessageMetadata(text);
        } catch (error) {
          expect(error).toBeInstanceOf(VmsyncError);
        }
        expect(performance.now() - start).toBeLessThan(200);
      }),
      { numRuns: 2000 },
    );
  });
});
