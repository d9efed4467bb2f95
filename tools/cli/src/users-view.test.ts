import { parseVoicemailConf } from '@vmsync/asterisk-spool';
import { describe, expect, it } from 'vitest';
import { classifyUsers } from './users-view.js';

const conf = parseVoicemailConf(
  [
    '[general]',
    'attach=yes',
    '[default]',
    '100 => 1234,Alice,alice@example.test',
    '101 => 1234,Bob,bob@other.test',
    '102 => 1234,Carol,',
    '103 => 1234,Dan,dan@example.test,,attach=no',
    '104 => 1234,Eve,eve@example.test,,delete=yes',
    '105 => 1234,Fay,not-an-address',
  ].join('\n'),
  { file: 'voicemail.conf' },
);

describe('classifyUsers (DESIGN.md §5)', () => {
  const views = classifyUsers(conf.users, (a) => a.endsWith('@example.test'));
  const of = (mailbox: string) => views.find((v) => v.mailbox === mailbox);

  it('synchronizes a box whose address is in a configured domain, with wav or text rules', () => {
    expect(of('100@default')).toMatchObject({ synchronized: true, kind: 'wav', reason: null });
    expect(of('103@default')).toMatchObject({ synchronized: true, kind: 'text' });
  });

  it('says why each other box is not synchronized, naming the fix', () => {
    expect(of('101@default')).toMatchObject({
      synchronized: false,
      reason: 'domain-not-configured',
    });
    expect(of('101@default')?.why).toContain('vmsync domain add other.test');
    expect(of('102@default')).toMatchObject({ reason: 'no-address', address: null });
    expect(of('104@default')).toMatchObject({ reason: 'notifications-off' });
    expect(of('105@default')).toMatchObject({ reason: 'no-address' });
    expect(of('105@default')?.why).toContain('not a valid email address');
  });
});
