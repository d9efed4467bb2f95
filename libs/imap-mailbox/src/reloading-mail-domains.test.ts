import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@vmsync/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ReloadingMailDomains } from './reloading-mail-domains.js';

const dir = mkdtempSync(join(tmpdir(), 'vmsync-reload-test-'));
const key = join(dir, 'sa.json');
writeFileSync(key, '{}');
const path = join(dir, 'mail-domains.json');
const entry = (domain: string) => ({ domain, kind: 'google', serviceAccountKeyFile: key });
/** Written beside and renamed into place, as `vmsync domain add` does. */
const write = (text: string) => {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
};

describe('ReloadingMailDomains', () => {
  let domains: ReloadingMailDomains | undefined;
  afterEach(() => domains?.stop());

  it('picks up a domain added to the file while running', async () => {
    write(JSON.stringify({ domains: [entry('a.test')] }));
    const reloads: string[][] = [];
    domains = new ReloadingMailDomains(path, {
      intervalMs: 50,
      onReload: (d) => reloads.push(d.domains),
    }).start();
    expect(domains.forAccount('x@b.test')).toBeUndefined();
    write(JSON.stringify({ domains: [entry('a.test'), entry('b.test')] }));
    await waitFor('b.test', () => domains?.forAccount('x@b.test'), 5_000);
    expect(reloads.at(-1)).toEqual(['a.test', 'b.test']);
  });

  it('sees a change made after the load and before the first poll', async () => {
    write(JSON.stringify({ domains: [entry('a.test')] }));
    domains = new ReloadingMailDomains(path, { intervalMs: 50 });
    write(JSON.stringify({ domains: [entry('a.test'), entry('c.test')] }));
    domains.start();
    await waitFor('c.test', () => domains?.forAccount('x@c.test'), 5_000);
  });

  it('a password file rewritten in place counts as a change', async () => {
    const password = join(dir, 'password');
    writeFileSync(password, 'old-secret');
    const imap = { host: 'imap.example.test', port: 993 };
    const generic = { domain: 'd.test', kind: 'imap', imap, passwordFile: password };
    write(JSON.stringify({ domains: [generic] }));
    let reloads = 0;
    domains = new ReloadingMailDomains(path, {
      intervalMs: 50,
      onReload: () => {
        reloads++;
      },
    }).start();
    writeFileSync(password, 'new-secret');
    await waitFor('the reload', () => (reloads > 0 ? true : undefined), 5_000);
    expect(domains.forAccount('x@d.test')).toMatchObject({ password: 'new-secret' });
  });

  it('keeps the last good domains when the file becomes invalid, and says why', async () => {
    write(JSON.stringify({ domains: [entry('a.test')] }));
    const errors: string[] = [];
    domains = new ReloadingMailDomains(path, {
      intervalMs: 50,
      onError: (e) => errors.push(e.code),
    }).start();
    write('{ not json');
    await waitFor('the error', () => errors[0], 5_000);
    expect(errors[0]).toBe('MAIL_DOMAINS_INVALID');
    expect(domains.forAccount('x@a.test')).toMatchObject({ domain: 'a.test' });
  });

  it('takes a file that named a missing key once the key is written', async () => {
    write(JSON.stringify({ domains: [entry('a.test')] }));
    const later = join(dir, 'later.json');
    const errors: string[] = [];
    domains = new ReloadingMailDomains(path, {
      intervalMs: 50,
      onError: (e) => errors.push(e.code),
    }).start();
    const named = { domain: 'e.test', kind: 'google', serviceAccountKeyFile: later };
    write(JSON.stringify({ domains: [entry('a.test'), named] }));
    await waitFor('the error', () => errors[0], 5_000);
    writeFileSync(later, '{}');
    await waitFor('e.test', () => domains?.forAccount('x@e.test'), 5_000);
    expect(errors).toHaveLength(1);
  });

  it('a key file rewritten in place (a rotated key) counts as a change', async () => {
    write(JSON.stringify({ domains: [entry('a.test')] }));
    let reloads = 0;
    domains = new ReloadingMailDomains(path, {
      intervalMs: 50,
      onReload: () => {
        reloads++;
      },
    }).start();
    await new Promise((r) => setTimeout(r, 200));
    expect(reloads).toBe(0);
    writeFileSync(key, '{"rotated":true}');
    await waitFor('the reload', () => (reloads > 0 ? true : undefined), 5_000);
  });
});
