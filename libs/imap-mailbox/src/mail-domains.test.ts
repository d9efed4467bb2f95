import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMailDomains, MailDomainsError, parseMailDomains } from './mail-domains.js';

const dir = mkdtempSync(join(tmpdir(), 'vmsync-domains-test-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const key = file('sa.json', '{}');
const password = file('pw', 'master-secret-1\n');

describe('mail domains file', () => {
  it('reads Google and plain IMAP domains; picks by the address domain', () => {
    const domains = parseMailDomains(
      {
        domains: [
          { domain: 'Example.Test', kind: 'google', serviceAccountKeyFile: key },
          {
            domain: 'corp.test',
            kind: 'imap',
            imap: { host: '127.0.0.1', port: 10993 },
            user: '{address}*admin',
            passwordFile: password,
          },
        ],
      },
      'test',
    );
    expect(domains.forAccount('alice@example.test')).toMatchObject({
      kind: 'google',
      imap: { host: 'imap.gmail.com', port: 993, secure: true },
    });
    expect(domains.forAccount('bob@corp.test')).toMatchObject({
      kind: 'imap',
      password: 'master-secret-1',
    });
    expect(domains.forAccount('eve@other.test')).toBeUndefined();
  });

  it('names every wrong field and never a secret', () => {
    const attempt = () =>
      parseMailDomains(
        {
          domains: [
            {
              domain: 'x.test',
              kind: 'imap',
              imap: { host: '' },
              passwordFile: password,
              extra: 1,
            },
          ],
        },
        'domains.json',
      );
    expect(attempt).toThrow(MailDomainsError);
    expect(attempt).toThrow(/domains\.0\.imap\.host/);
    expect(attempt).toThrow(/extra/);
    expect(attempt).not.toThrow(/master-secret/);
  });

  it('says which file cannot be read', () => {
    expect(() => loadMailDomains(join(dir, 'missing.json'))).toThrow(
      /missing\.json cannot be read \(ENOENT\)/,
    );
    const bad = file(
      'bad.json',
      JSON.stringify({
        domains: [{ domain: 'a.test', kind: 'google', serviceAccountKeyFile: join(dir, 'nokey') }],
      }),
    );
    expect(() => loadMailDomains(bad)).toThrow(/service-account key file .*nokey cannot be read/);
  });
});
