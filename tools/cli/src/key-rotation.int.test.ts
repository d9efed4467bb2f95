/**
 * Hot reload: a running email-watcher picks up a domain added with `vmsync domain add`
 * and a key rotated in place, without a restart; `vmsync status` shows the mailbox
 * waiting for an administrator meanwhile.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, createPublisher, ensureTopics } from '@vmsync/bus';
import { topicNames } from '@vmsync/events';
import { declareMailboxes, mailboxesTopicSpec } from '@vmsync/imap-mailbox';
import { serviceEnv, stackEnv } from '@vmsync/imap-mailbox/testing';
import { ServiceProcess, uniqueName, waitFor } from '@vmsync/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStackDomainArgs, runCliCaptured } from './testing.js';

const stack = stackEnv();
const USER = 'user6@example.test';
const dir = mkdtempSync(join(tmpdir(), 'vmsync-rotate-'));
const domainsFile = join(dir, 'mail-domains.json');
const keyFile = join(dir, 'sa.json');
const prefix = `${uniqueName('rot')}.`;
const deployment = uniqueName('rot').toLowerCase();
const topics = topicNames(prefix);
const env = {
  ...serviceEnv(stack, { prefix, deployment, domainsFile }),
  // Without hot reload a mailbox waiting for an admin would be tried again only in 10 min:
  // the rotated key must be used because the change was noticed, not because time passed.
  VMSYNC_MAILBOX_ADMIN_RETRY_MIN_MS: '600000',
  VMSYNC_MAILBOX_ADMIN_RETRY_MAX_MS: '600000',
};
const cli = (...argv: string[]) => runCliCaptured(argv, { ...process.env, ...env });
const watcher = new ServiceProcess('email-watcher', env);

interface StatusJson {
  mailbox: { state: string; code: string | null; message: string | null } | null;
}
const mailboxState = async (want: string) =>
  waitFor(
    `mailbox ${want}`,
    async () => {
      const r = await cli('status', USER, '--json');
      return (r.json as StatusJson).mailbox?.state === want ? r : undefined;
    },
    30_000,
    200,
  );

beforeAll(async () => {
  writeFileSync(domainsFile, JSON.stringify({ domains: [] }));
  // The key that will be "rotated": first a deleted one, later the live one, same path.
  copyFileSync(stack.VMSYNC_TEST_SA_KEY_DELETED, keyFile);
  const kafka = createKafka({ brokers: stack.VMSYNC_KAFKA_BROKERS.split(','), clientId: 'rot' });
  await ensureTopics(kafka, [mailboxesTopicSpec(topics, 4)]);
  const publisher = createPublisher(kafka);
  await publisher.connect();
  await declareMailboxes(publisher, topics, [{ account: USER, server: 'pbx1' }]);
  await publisher.disconnect();
  await watcher.start();
});
afterAll(() => watcher.stop());

describe('a running email-watcher takes new domains and rotated keys without a restart', () => {
  it('a domain added with `vmsync domain add` is used at once', async () => {
    await mailboxState('no-credential');
    const added = await cli(...addStackDomainArgs(stack, keyFile));
    expect(added.code).toBe(0);
    // The key is a deleted one: the watcher now tries, and says what the admin must do.
    const run = await mailboxState('needs-admin-action');
    expect(run.code).toBe(1);
    expect((run.json as StatusJson).mailbox?.code).toBe('KEY_INVALID');
    const text = await cli('status', USER);
    expect(text.stdout).toContain('NEEDS ADMIN [KEY_INVALID]');
    expect(text.stdout).toContain('create a new JSON key');
  });

  it('a key rotated in place is used at once, by the same process', async () => {
    copyFileSync(stack.VMSYNC_TEST_SA_KEY, keyFile);
    const run = await mailboxState('watching');
    expect(run.code).toBe(0);
    expect(watcher.lines.some((l) => l.includes('mail domains file reloaded'))).toBe(true);
    expect(watcher.logs().filter((l) => l.msg === 'email-watcher started')).toHaveLength(1);
  });
});
