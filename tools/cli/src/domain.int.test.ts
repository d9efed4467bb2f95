import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackEnv } from '@vmsync/imap-mailbox/testing';
import { describe, expect, it } from 'vitest';
import { addStackDomainArgs, runCliCaptured } from './testing.js';

const stack = stackEnv();
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = mkdtempSync(join(tmpdir(), 'vmsync-cli-'));
const USER = 'user5@example.test';

/** A deployment's environment with its own domains file (one per key under test). */
const envWith = (domainsFile: string, extra: Record<string, string> = {}) => ({
  ...process.env,
  VMSYNC_MAIL_DOMAINS_FILE: domainsFile,
  VMSYNC_DEPLOYMENT: 'cli-domain-test',
  ...extra,
});
const add = (domainsFile: string, key: string) =>
  runCliCaptured([...addStackDomainArgs(stack, key), '--json'], envWith(domainsFile));

interface Diagnosis {
  ok: boolean;
  steps: { step: string; ok: boolean }[];
  problem: { code: string; message: string } | null;
  trash: string | null;
}

describe('vmsync domain add|list|test|remove against the local stack', () => {
  const good = join(dir, 'good.json');
  const undelegated = join(dir, 'undelegated.json');
  const deleted = join(dir, 'deleted.json');

  it('adds a domain to the domains file the services read, and lists it', async () => {
    const added = await add(good, stack.VMSYNC_TEST_SA_KEY);
    expect(added.code).toBe(0);
    expect(added.json).toMatchObject({ domain: 'example.test', added: true });
    const file = JSON.parse(readFileSync(good, 'utf8'));
    expect(file.domains).toHaveLength(1);
    expect(file.domains[0]).toMatchObject({
      domain: 'example.test',
      serviceAccountKeyFile: stack.VMSYNC_TEST_SA_KEY,
    });
    const list = await runCliCaptured(['domain', 'list'], envWith(good));
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('example.test');
    expect(list.stdout).toContain(stack.VMSYNC_TEST_SA_KEY);
  });

  it('refuses a key file that is not a service-account key (exit 3), leaving the file alone', async () => {
    const notKey = join(dir, 'not-a-key.json');
    writeFileSync(notKey, '{"type":"authorized_user"}');
    const before = readFileSync(good, 'utf8');
    const run = await add(good, notKey);
    expect(run.code).toBe(3);
    expect(run.json).toMatchObject({ ok: false, error: { code: 'KEY_FILE_INVALID' } });
    expect(readFileSync(good, 'utf8')).toBe(before);
  });

  it('test: a delegated service account gets a token, logs in, and finds Trash (exit 0)', async () => {
    const run = await runCliCaptured(
      ['domain', 'test', 'example.test', '--user', USER, '--json'],
      envWith(good),
    );
    expect(run.code).toBe(0);
    const d = run.json as Diagnosis;
    expect(d.ok).toBe(true);
    expect(d.steps.map((s) => s.step)).toEqual(['domain', 'key', 'token', 'imap-login', 'trash']);
    expect(d.trash).toBe('Trash');
  });

  it('test: an undelegated service account is diagnosed with the client id and scope to add (exit 1)', async () => {
    await add(undelegated, stack.VMSYNC_TEST_SA_KEY_UNDELEGATED);
    const clientId = JSON.parse(
      readFileSync(stack.VMSYNC_TEST_SA_KEY_UNDELEGATED, 'utf8'),
    ).client_id;
    const run = await runCliCaptured(
      ['domain', 'test', 'example.test', '--user', USER],
      envWith(undelegated),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL token');
    expect(run.stdout).toContain('DELEGATION_MISSING');
    expect(run.stdout).toContain(`add client ID ${clientId} with scope https://mail.google.com/`);
    expect(run.stdout).toContain('Domain-wide delegation');
    expect(run.stderr).toContain(`asking Google for a token for ${USER}`);
  });

  it('test: a deleted key is diagnosed as such, with where to make a new one (exit 1)', async () => {
    await add(deleted, stack.VMSYNC_TEST_SA_KEY_DELETED);
    const run = await runCliCaptured(
      ['domain', 'test', 'example.test', '--user', USER, '--json'],
      envWith(deleted),
    );
    expect(run.code).toBe(1);
    const d = run.json as Diagnosis;
    expect(d.problem?.code).toBe('KEY_INVALID');
    expect(d.problem?.message).toContain('create a new JSON key and replace the key file');
    expect(d.steps.at(-1)).toMatchObject({ step: 'token', ok: false });
  });

  it('test: an address whose domain is not registered says how to register it', async () => {
    const run = await runCliCaptured(
      ['domain', 'test', 'other.test', '--user', 'someone@other.test', '--json'],
      envWith(good),
    );
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ problem: { code: 'DOMAIN_NOT_CONFIGURED' } });
  });

  it('test: a plain IMAP domain (service login) logs in and finds Trash; a wrong password is named', async () => {
    const file = join(dir, 'imap.json');
    const password = join(dir, 'master-password');
    const entry = (passwordFile: string) => ({
      domain: 'example.test',
      kind: 'imap',
      imap: {
        host: stack.VMSYNC_IMAP_HOST,
        port: Number(stack.VMSYNC_IMAP_PORT),
        tlsCaFile: stack.VMSYNC_IMAP_TLS_CA,
        servername: stack.VMSYNC_IMAP_SERVERNAME,
      },
      user: `{address}${stack.VMSYNC_IMAP_MASTER_SEPARATOR}${stack.VMSYNC_IMAP_MASTER_USER}`,
      passwordFile,
    });
    writeFileSync(password, stack.VMSYNC_IMAP_MASTER_PASSWORD);
    writeFileSync(file, JSON.stringify({ domains: [entry(password)] }));
    const ok = await runCliCaptured(
      ['domain', 'test', 'example.test', '--user', USER, '--json'],
      envWith(file),
    );
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, trash: 'Trash' });
    const wrong = join(dir, 'wrong-password');
    writeFileSync(wrong, 'not-the-password');
    writeFileSync(file, JSON.stringify({ domains: [entry(wrong)] }));
    const refused = await runCliCaptured(
      ['domain', 'test', 'example.test', '--user', USER, '--json'],
      envWith(file),
    );
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ problem: { code: 'MAILBOX_LOGIN_REFUSED' } });
    expect(JSON.stringify(refused.json)).not.toContain('not-the-password');
  });

  it('remove: the domain leaves the file; removing it again exits 1', async () => {
    expect(
      (await runCliCaptured(['domain', 'remove', 'example.test'], envWith(deleted))).code,
    ).toBe(0);
    expect(JSON.parse(readFileSync(deleted, 'utf8')).domains).toEqual([]);
    expect(
      (await runCliCaptured(['domain', 'remove', 'example.test'], envWith(deleted))).code,
    ).toBe(1);
  });

  it('through ./vmsync: usage errors exit 2, missing configuration exits 3', () => {
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      spawnSync(join(ROOT, 'vmsync'), args, { env, encoding: 'utf8', timeout: 30_000 });
    expect(run(['domain', 'test', 'example.test'], envWith(good)).status).toBe(2);
    const { VMSYNC_MAIL_DOMAINS_FILE: _, ...noDomains } = envWith(good);
    const missing = run(['domain', 'list'], noDomains);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain('VMSYNC_MAIL_DOMAINS_FILE is not set');
    const ok = run(['domain', 'test', 'example.test', '--user', USER], envWith(good));
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('vmsync can open this mailbox');
  });
});

describe('vmsync users and config check', () => {
  const domainsFile = join(dir, 'users.json');
  const spool = mkdtempSync(join(tmpdir(), 'vmsync-cli-spool-'));
  const conf = join(dir, 'voicemail.conf');
  writeFileSync(
    conf,
    [
      '[general]',
      'attach=yes',
      'serveremail=asterisk@pbx.example.test',
      '[default]',
      `100 => 1234,Alice,${USER}`,
      '101 => 1234,Bob,bob@other.test',
      '102 => 1234,Carol,',
      '103 => 1234,Dan,user22@example.test,,attach=no|delete=yes',
    ].join('\n'),
  );
  const env = (extra: Record<string, string> = {}) =>
    envWith(domainsFile, {
      VMSYNC_VOICEMAIL_CONF: conf,
      VMSYNC_SPOOL_DIR: spool,
      VMSYNC_PBX_SENDERS: 'asterisk@pbx.example.test',
      ...extra,
    });

  it('users: who is synchronized, and why not for the others', async () => {
    await add(domainsFile, stack.VMSYNC_TEST_SA_KEY);
    const run = await runCliCaptured(['users', '--json'], env());
    expect(run.code).toBe(0);
    const users = (
      run.json as { users: { mailbox: string; synchronized: boolean; reason: string | null }[] }
    ).users;
    expect(users.map((u) => [u.mailbox, u.synchronized, u.reason])).toEqual([
      ['100@default', true, null],
      ['101@default', false, 'domain-not-configured'],
      ['102@default', false, 'no-address'],
      ['103@default', false, 'notifications-off'],
    ]);
    const text = await runCliCaptured(['users'], env());
    expect(text.stdout).toContain('vmsync domain add other.test');
    expect(text.stdout).toContain('1 of 4 voicemail boxes synchronized');
  });

  it('config check: everything reachable and a working domain exits 0', async () => {
    const run = await runCliCaptured(['config', 'check', '--json'], env());
    const checks = (run.json as { checks: { check: string; level: string }[] }).checks;
    expect(checks.filter((c) => c.level === 'fail')).toEqual([]);
    expect(checks.find((c) => c.check === 'VMSYNC_PBX_SENDERS')).toBeUndefined();
    expect(checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'redis',
        'kafka',
        'spool',
        'voicemail.conf',
        'mail domains file',
        'domain example.test',
      ]),
    );
    expect(run.code).toBe(0);
  });

  it('config check: an unreachable Redis, a missing spool and a wrong key each fail (exit 1)', async () => {
    const wrong = join(dir, 'wrong.json');
    await add(wrong, stack.VMSYNC_TEST_SA_KEY_DELETED);
    const run = await runCliCaptured(['config', 'check', '--json'], {
      ...env({
        VMSYNC_REDIS_URL: 'redis://127.0.0.1:1',
        VMSYNC_SPOOL_DIR: join(dir, 'nowhere'),
        VMSYNC_PBX_SENDERS: 'someone-else@pbx.example.test',
      }),
      VMSYNC_MAIL_DOMAINS_FILE: wrong,
    });
    expect(run.code).toBe(1);
    const failed = (
      run.json as { checks: { check: string; level: string; detail: string }[] }
    ).checks.filter((c) => c.level === 'fail');
    expect(failed.map((c) => c.check).sort()).toEqual(['domain example.test', 'redis', 'spool']);
    expect(failed.find((c) => c.check === 'domain example.test')?.detail).toContain('KEY_INVALID');
    const warned = (run.json as { checks: { check: string; level: string }[] }).checks;
    expect(warned).toContainEqual(
      expect.objectContaining({ check: 'VMSYNC_PBX_SENDERS', level: 'warn' }),
    );
  });
});
