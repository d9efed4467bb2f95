import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createKafka, createPublisher, ensureTopics, type Publisher } from '@vmsync/bus';
import { type EnvelopeOf, topicNames, userKey } from '@vmsync/events';
import { declareMailboxes, MailboxStatusStore, mailboxesTopicSpec } from '@vmsync/imap-mailbox';
import {
  type Collected,
  collectEnvelopes,
  serviceEnv,
  stackEnv,
  TestMailbox,
  writeTestDomainsFile,
} from '@vmsync/imap-mailbox/testing';
import { Store } from '@vmsync/store';
import { ServiceProcess, uniqueName, waitFor } from '@vmsync/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Restarts the shared Dovecot: its own file, so no other test of the email side runs meanwhile.
const ROOT = join(import.meta.dirname, '../../..');
const stack = stackEnv();
const USER = 'user18@example.test';
const prefix = `${uniqueName('ewr')}.`;
const deployment = uniqueName('ewr').toLowerCase();
const topics = topicNames(prefix);
const kafka = createKafka({ brokers: stack.VMSYNC_KAFKA_BROKERS.split(','), clientId: 'ewr-test' });
const env = {
  ...serviceEnv(stack, { prefix, deployment, domainsFile: writeTestDomainsFile(stack) }),
  // A quiet IDLE is handed to imap-hibernate after 5 s (stack config); a restart closes
  // those. (Dovecot's busy imap processes outlive its master in this stack.)
  VMSYNC_EMAIL_POLL_INTERVAL_MS: '30000',
};

const dovecot = (action: 'down' | 'up') =>
  execFileSync('bash', [join(ROOT, 'scripts/stack/dovecot.sh'), action], {
    cwd: ROOT,
    stdio: 'ignore',
    timeout: 60_000,
  });

describe('after a Dovecot restart', () => {
  const store = new Store({ url: stack.VMSYNC_REDIS_URL, prefix: deployment });
  const watcher = new ServiceProcess('email-watcher', env);
  const actuator = new ServiceProcess('mail-actuator', env);
  let publisher: Publisher;
  let reader: Collected;
  let user: TestMailbox;

  const changes = (mid: string) =>
    reader.seen
      .filter((e): e is EnvelopeOf<'email-changed'> => e.type === 'email-changed')
      .filter((e) => e.payload.ref.emailId === `mid:${mid}`);

  beforeAll(async () => {
    await store.connect();
    user = await TestMailbox.open(stack, USER);
    await user.reset();
    await ensureTopics(kafka, [
      mailboxesTopicSpec(topics, 4),
      { topic: topics.emailChanged, partitions: 4 },
      { topic: topics.mailCommands, partitions: 4 },
    ]);
    publisher = createPublisher(kafka);
    await publisher.connect();
    await declareMailboxes(publisher, topics, [{ account: USER, server: 'pbx1' }]);
    reader = await collectEnvelopes(kafka, [topics.emailChanged]);
    await Promise.all([watcher.start(), actuator.start()]);
  });
  afterAll(async () => {
    await Promise.allSettled([watcher.stop(), actuator.stop()]);
    await Promise.allSettled([
      reader?.stop(),
      publisher?.disconnect(),
      user?.close(),
      store.close(),
    ]);
  });

  it('the watcher reconnects and sees changes again; the actuator applies commands again', async () => {
    const mid = await user.deliver();
    await waitFor('snapshot', () => changes(mid)[0]);
    // A command before the restart: the actuator then holds a pooled connection.
    const first = `cmd-${randomUUID()}`;
    const command = (commandId: string, action: 'ensure-read' | 'ensure-unread') =>
      publisher.publish(topics.mailCommands, userKey(USER), {
        id: commandId,
        type: 'mail-command',
        version: 1,
        observedAt: Date.now(),
        correlationId: 'evt',
        causationId: 'evt',
        payload: { commandId, ref: { account: USER, emailId: `mid:${mid}` }, action },
      });
    await command(first, 'ensure-read');
    await waitFor('echo of the first command', () =>
      changes(mid).find((e) => e.payload.echoOf === first),
    );
    await user.close();
    await new Promise((r) => setTimeout(r, 7_000)); // the watcher's IDLE hibernates

    dovecot('down');
    dovecot('up');
    const restartedAt = Date.now();

    user = await TestMailbox.open(stack, USER);
    await user.markUnread(mid);
    const seen = await waitFor(
      'the change after the restart',
      () => changes(mid).find((e) => e.payload.before?.read === true && !e.payload.after.read),
      30_000,
      100,
    );
    expect(seen.payload).toMatchObject({
      before: { read: true },
      after: { read: false },
      echoOf: null,
    });
    const status = await new MailboxStatusStore(store).get(USER);
    expect(status?.state).toBe('watching');

    const second = `cmd-${randomUUID()}`;
    await command(second, 'ensure-read');
    await waitFor(
      'echo of the command after the restart',
      () => changes(mid).find((e) => e.payload.echoOf === second),
      30_000,
    );
    expect(Date.now() - restartedAt).toBeLessThan(45_000);
    expect(watcher.logs().some((l) => l.msg === 'mailbox failed; retrying')).toBe(true);
  });
});
