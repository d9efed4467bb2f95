import { VmsyncError } from '@vmsync/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVoicemailConf, VoicemailConfError } from './voicemail-conf.js';

const SAMPLE = `; Asterisk voicemail.conf
[general]
format=wav49|gsm|wav
serveremail=asterisk@pbx.example.com
attach=yes
maxmsg=100
; backupdeleted=yes
moveheard=yes

[zonemessages]
eastern=America/New_York|'vm-received' Q 'digits/at' IMp
military=Zulu|'vm-received' q 'digits/at' H N 'hours' 'phonetic/z_p'

[default]
1234 => 4242,Example Mailbox,root@localhost   ; no dot in the domain: not synchronized
1001 => 1001,Alice Example,alice@example.com,,attach=yes|tz=eastern
1002 => 1002,Bob,bob@example.com,bob-pager@example.com,attach=no|saycid=yes
1003 = 1003,Carol,,,               ; no email: not synchronized
1004 => 1004,Dave,dave@example.com|dave2@example.com,,attachfmt=wav|backupdeleted=25|maxmsg=50
1005 => 1005,Erin,erin@example.com,,delete=yes
1006 => 1006,Frank,frank@example.com,,attach=0|moveheard=no|serveremail=vm@example.com

[other]
2000 => 2000,Zed,zed@example.org
`;

describe('parseVoicemailConf', () => {
  const conf = parseVoicemailConf(SAMPLE, { file: '/etc/asterisk/voicemail.conf' });
  const user = (id: string) => conf.users.find((u) => u.id === id);

  it('reads [general] and skips [general] and [zonemessages] as contexts', () => {
    expect(conf.general.serveremail).toBe('asterisk@pbx.example.com');
    expect(conf.users.map((u) => u.id)).toEqual([
      '1234@default',
      '1001@default',
      '1002@default',
      '1003@default',
      '1004@default',
      '1005@default',
      '1006@default',
      '2000@other',
    ]);
  });

  it('decides who is synchronized and which kind (DESIGN.md §5)', () => {
    expect(user('1001@default')?.notify).toEqual({ email: 'alice@example.com', kind: 'wav' });
    expect(user('1002@default')?.notify).toEqual({ email: 'bob@example.com', kind: 'text' });
    expect(user('1003@default')?.notify).toBeNull();
    expect(user('1004@default')?.notify).toEqual({ email: 'dave@example.com', kind: 'wav' });
    expect(user('1004@default')?.emails).toEqual(['dave@example.com', 'dave2@example.com']);
    expect(user('1006@default')?.notify?.kind).toBe('text');
    expect(user('2000@other')?.notify).toEqual({ email: 'zed@example.org', kind: 'wav' });
  });

  it('does not synchronize delete=yes mailboxes (the email is the only copy)', () => {
    expect(user('1005@default')?.deleteAfterEmail).toBe(true);
    expect(user('1005@default')?.notify).toBeNull();
  });

  it('warns about an address that is not one', () => {
    expect(user('1234@default')?.notify).toBeNull();
    expect(conf.warnings.some((w) => w.message.includes('root@localhost') && w.line === 15)).toBe(
      true,
    );
  });

  it('resolves options against [general] defaults as app_voicemail does', () => {
    expect(user('1001@default')).toMatchObject({
      attach: true,
      attachFormat: 'wav49',
      maxDeleted: 0,
      maxMsg: 100,
      moveHeard: true,
      serverEmail: 'asterisk@pbx.example.com',
      fullname: 'Alice Example',
      line: 16,
    });
    expect(user('1004@default')).toMatchObject({ attachFormat: 'wav', maxDeleted: 25, maxMsg: 50 });
    expect(user('1006@default')).toMatchObject({ moveHeard: false, serverEmail: 'vm@example.com' });
  });

  it('never keeps the password', () => {
    expect(JSON.stringify(conf)).not.toContain('4242');
  });

  it.each([
    ['absent', '', 0],
    ['yes', 'backupdeleted=yes', 100],
    ['no', 'backupdeleted=no', 0],
    ['a number', 'backupdeleted=50', 50],
    ['over the limit', 'backupdeleted=100000', 9999],
    ['negative', 'backupdeleted=-3', 100],
  ])('backupdeleted %s', (_name, line, expected) => {
    const c = parseVoicemailConf(`[general]\n${line}\n[default]\n1 => 1,A,a@example.com\n`);
    expect(c.users[0]?.maxDeleted).toBe(expected);
  });

  it('honours attach=no in [general] and a per-user override', () => {
    const c = parseVoicemailConf(
      '[general]\nattach=no\n[default]\n1 => 1,A,a@example.com\n2 => 2,B,b@example.com,,attach=yes\n',
    );
    expect(c.users.map((u) => u.notify?.kind)).toEqual(['text', 'wav']);
  });

  it('handles block comments, escaped semicolons, templates and appends', () => {
    const c = parseVoicemailConf(
      [
        '[general]',
        ';-- a block',
        'attach=no',
        '--;',
        'serveremail=vm\\;x@example.com',
        '[tpl](!)',
        '9 => 9,Tpl,t@example.com',
        '[default](tpl)',
        '1 => 1,A,a@example.com',
        '[default](+)',
        '2 => 2,B,b@example.com',
        '',
      ].join('\n'),
    );
    expect(c.general.attach).toBeUndefined();
    expect(c.general.serveremail).toBe('vm;x@example.com');
    expect(c.users.map((u) => u.id)).toEqual(['9@default', '1@default', '2@default']);
  });

  it('skips the aliasescontext and a duplicate mailbox (first wins)', () => {
    const c = parseVoicemailConf(
      '[general]\naliasescontext=aliases\n[aliases]\n100 => 1001@default\n[default]\n1 => 1,A,a@example.com\n1 => 1,B,b@example.com\n',
    );
    expect(c.users.map((u) => u.fullname)).toEqual(['A']);
    expect(c.warnings.some((w) => w.message.includes('twice'))).toBe(true);
  });

  it('refuses mailbox names that cannot be a directory', () => {
    const c = parseVoicemailConf(
      '[default]\n../x => 1,A,a@example.com\n.hidden => 1,A,a@example.com\n',
    );
    expect(c.users).toEqual([]);
    expect(c.warnings).toHaveLength(2);
  });

  it('follows #include through the resolver, and #tryinclude of a missing file', () => {
    const files: Record<string, string> = { 'users.inc': '[default]\n1 => 1,A,a@example.com\n' };
    const c = parseVoicemailConf(
      '[general]\nattach=yes\n#include "users.inc"\n#tryinclude missing.inc\n',
      {
        readInclude: (name) =>
          files[name] === undefined ? null : { file: name, text: files[name] },
      },
    );
    expect(c.users.map((u) => `${u.id}:${u.file}`)).toEqual(['1@default:users.inc']);
  });

  it.each([
    ['an unclosed category', '[general\nattach=yes\n', 1, "no closing ']'"],
    ['a key outside any context', 'attach=yes\n[general]\n', 1, 'not inside any [context]'],
    ['junk after a category', '[default] x\n', 1, "text after ']'"],
    ['an unknown template', '[general]\n\n[default](nope)\n', 3, "unknown category 'nope'"],
    ['appending to nothing', '[default](+)\n', 1, 'does not exist'],
    ['an include it cannot read', '[general]\n#include other.conf\n', 2, 'cannot be read'],
  ])('rejects %s, naming file and line', (_name, text, line, words) => {
    try {
      parseVoicemailConf(text, { file: 'vm.conf' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(VoicemailConfError);
      const e = error as VoicemailConfError;
      expect(e.line).toBe(line);
      expect(e.message).toContain(`vm.conf:${line}`);
      expect(e.message).toContain(words);
      expect(e.code).toBe('VOICEMAIL_CONF_INVALID');
    }
  });

  it('rejects an include loop', () => {
    expect(() =>
      parseVoicemailConf('#include a.conf\n', {
        readInclude: () => ({ file: 'a.conf', text: '#include a.conf\n' }),
      }),
    ).toThrow(VoicemailConfError);
  });

  it('warns (as Asterisk does) about a line without =, and an unknown directive', () => {
    const c = parseVoicemailConf('[default]\njust words\n#frobnicate\n1 => 1,A,a@example.com\n');
    expect(c.users).toHaveLength(1);
    expect(c.warnings.map((w) => w.line)).toEqual([2, 3]);
  });
});

describe('fuzz', () => {
  const pieces = fc.constantFrom(
    '[general]',
    '[default]',
    '[zonemessages]',
    '[t](!)',
    '[default](t)',
    '[default](+)',
    '[',
    ']',
    '(',
    ')',
    '!',
    '+',
    '=',
    '=>',
    '+=',
    ',',
    '|',
    ';',
    ';--',
    '--;',
    '\\;',
    '\n',
    '\r\n',
    ' ',
    '#include x',
    '#tryinclude y',
    '#exec z',
    'attach=yes',
    'attach=no',
    'backupdeleted=5',
    '1001 => 1,A,a@example.com,,attach=no|delete=yes',
    'a@b.c',
    '..',
    '/',
    '\0',
  );
  const configish = fc.array(pieces, { maxLength: 80 }).map((p) => p.join(''));
  const anything = fc.string({ unit: 'binary', maxLength: 500 });

  it('never throws anything but a VmsyncError, and never hangs', () => {
    fc.assert(
      fc.property(fc.oneof(configish, anything), (text) => {
        const start = performance.now();
        try {
          const c = parseVoicemailConf(text, {
            readInclude: (name) =>
              name === 'x'
                ? { file: 'x', text: '[default]\n7 => 7,X,x@example.com\n#include x\n' }
                : null,
          });
          for (const u of c.users) {
            expect(u.notify === null || u.notify.email.includes('@')).toBe(true);
            expect(u.mailbox.includes('/')).toBe(false);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(VmsyncError);
        }
        expect(performance.now() - start).toBeLessThan(200);
      }),
      { numRuns: 2000 },
    );
  });
});
