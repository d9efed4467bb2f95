import { createKafka, createPublisher, ensureTopics, type Publisher } from '@vmsync/bus';
import { type EmailState, type EnvelopeOf, topicNames } from '@vmsync/events';
import { declareMailboxes, emailKey, mailboxesTopicSpec } from '@vmsync/imap-mailbox';
import {
  type Collected,
  collectEnvelopes,
  serviceEnv,
  stackEnv,
  TestMailbox,
  writeTestDomainsFile,
} from '@vmsync/imap-mailbox/testing';
import { IntentLog, Store } from '@vmsync/store';
import { ServiceProcess, uniqueName, waitFor } from '@vmsync/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stack = stackEnv();
const USER = 'user11@example.test';
const prefix = `${uniqueName('ew')}.`;
const deployment = uniqueName('ew').toLowerCase();
const topics = topicNames(prefix);
const kafka = createKafka({ brokers: stack.VMSYNC_KAFKA_BROKERS.split(','), clientId: 'ew-test' });
const env = serviceEnv(stack, { prefix, deployment, domainsFile: writeTestDomainsFile(stack) });

type Changed = EnvelopeOf<'email-changed'>;

describe('email-watcher (real Kafka, Redis, Dovecot with XOAUTH2)', () => {
  let user: TestMailbox;
  let publisher: Publisher;
  let reader: Collected;
  let watcher: ServiceProcess;
  const store = new Store({ url: stack.VMSYNC_REDIS_URL, prefix: deployment });

  const events = (emailId: string): Changed['payload'][] =>
    reader.seen
      .filter((e): e is Changed => e.type === 'email-changed')
      .filter((e) => e.payload.ref.emailId === emailId)
      .map((e) => e.payload);
  /** The next event of `emailId` after the `n` already seen. */
  const nth = (emailId: string, n: number) =>
    waitFor(`event #${n + 1} of ${emailId}`, () => events(emailId)[n], 20_000);

  beforeAll(async () => {
    user = await TestMailbox.open(stack, USER);
    await user.reset();
    await store.connect();
    await ensureTopics(kafka, [
      mailboxesTopicSpec(topics, 4),
      { topic: topics.emailChanged, partitions: 4 },
    ]);
    publisher = createPublisher(kafka);
    await publisher.connect();
    await declareMailboxes(publisher, topics, [{ account: USER, server: 'pbx1' }]);
    reader = await collectEnvelopes(kafka, [topics.emailChanged]);
  });
  afterAll(async () => {
    await watcher?.stop();
    await Promise.allSettled([
      reader?.stop(),
      publisher?.disconnect(),
      user?.close(),
      store.close(),
    ]);
  });

  let mid = '';
  const id = () => `mid:${mid}`;

  it('publishes a start-up snapshot of every notification', async () => {
    mid = await user.deliver({ callerId: '2001' });
    watcher = new ServiceProcess('email-watcher', env);
    await watcher.start();
    const snapshot = await nth(id(), 0);
    expect(snapshot).toMatchObject({
      ref: { account: USER, emailId: id() },
      phase: 'snapshot',
      before: null,
      after: { location: 'inbox', read: false },
      notification: { messageId: mid, headers: { 'x-asterisk-callerid': '2001' } },
      echoOf: null,
    });
    expect(snapshot.notification.attachment).toMatchObject({ filename: 'msg0000.wav' });
  });

  const step = async (act: () => Promise<void>, before: EmailState, after: EmailState) => {
    const n = events(id()).length;
    await act();
    expect(await nth(id(), n)).toMatchObject({ phase: 'change', before, after, echoOf: null });
  };

  it('detects read and unread (IDLE push)', async () => {
    await step(
      () => user.markRead(mid),
      { location: 'inbox', read: false },
      { location: 'inbox', read: true },
    );
    await step(
      () => user.markUnread(mid),
      { location: 'inbox', read: true },
      { location: 'inbox', read: false },
    );
  });

  it('detects moved to Trash and restored from Trash', async () => {
    await step(
      () => user.move(mid, 'INBOX', 'Trash'),
      { location: 'inbox', read: false },
      { location: 'trash', read: false },
    );
    await step(
      () => user.move(mid, 'Trash', 'INBOX'),
      { location: 'trash', read: false },
      { location: 'inbox', read: false },
    );
  });

  it('takes a move to another folder for archive, not a deletion', async () => {
    await step(
      () => user.move(mid, 'INBOX', 'Archive'),
      { location: 'inbox', read: false },
      { location: 'archive', read: false },
    );
  });

  it('detects a purge (expunged from Trash) only after a complete look', async () => {
    await step(
      () => user.move(mid, 'Archive', 'Trash'),
      { location: 'archive', read: false },
      { location: 'trash', read: false },
    );
    await step(
      () => user.purge(mid),
      { location: 'trash', read: false },
      { location: 'purged', read: false },
    );
  });

  it("marks the echo of the actuator's intent, and keeps the user's change time", async () => {
    const other = await user.deliver();
    const otherId = `mid:${other}`;
    await nth(otherId, 0);
    // What the mail-actuator does before it changes a message.
    await new IntentLog<EmailState>(store, 'email').record(emailKey(USER, otherId), {
      commandId: 'cmd-echo-1',
      expect: { read: true },
      at: Date.now(),
    });
    await user.markRead(other);
    expect(await nth(otherId, 1)).toMatchObject({ after: { read: true }, echoOf: 'cmd-echo-1' });
    await user.markUnread(other);
    expect(await nth(otherId, 2)).toMatchObject({ after: { read: false }, echoOf: null });
  });

  it("sees a user's undo of vmsync's change it never saw (restored from Trash, unread again)", async () => {
    const trashed = await user.deliver();
    const read = await user.deliver();
    await nth(`mid:${trashed}`, 0);
    await nth(`mid:${read}`, 0);
    // The watcher is down, so it cannot see vmsync's changes before the user undoes them
    // (in production: the user is faster than Dovecot's IDLE notification).
    await watcher.stop();
    const intents = new IntentLog<EmailState>(store, 'email');
    const actuator = async (mid: string, commandId: string, expect: Partial<EmailState>) => {
      await intents.record(emailKey(USER, `mid:${mid}`), { commandId, expect, at: Date.now() });
      if (expect.location === 'trash') await user.move(mid, 'INBOX', 'Trash');
      else await user.markRead(mid);
      await intents.markApplied(USER, emailKey(USER, `mid:${mid}`), commandId, Date.now());
    };
    await actuator(trashed, 'cmd-missed-trash', { location: 'trash' });
    await actuator(read, 'cmd-missed-read', { read: true });
    await user.move(trashed, 'Trash', 'INBOX');
    await user.markUnread(read);
    watcher = new ServiceProcess('email-watcher', env);
    await watcher.start();
    expect(await nth(`mid:${trashed}`, 1)).toMatchObject({
      phase: 'change',
      before: { location: 'trash', read: false },
      after: { location: 'inbox', read: false },
      echoOf: null,
    });
    expect(await nth(`mid:${read}`, 1)).toMatchObject({
      phase: 'change',
      before: { location: 'inbox', read: true },
      after: { location: 'inbox', read: false },
      echoOf: null,
    });
  });

  it('after a restart publishes only what changed while it was down', async () => {
    const kept = await user.deliver();
    const changed = await user.deliver();
    await nth(`mid:${kept}`, 0);
    await nth(`mid:${changed}`, 0);
    await watcher.stop();
    await user.markRead(changed);
    const total = reader.seen.length;
    watcher = new ServiceProcess('email-watcher', env);
    await watcher.start();
    expect(await nth(`mid:${changed}`, 1)).toMatchObject({
      phase: 'change',
      before: { location: 'inbox', read: false },
      after: { location: 'inbox', read: true },
    });
    await new Promise((r) => setTimeout(r, 1_500));
    const since = reader.seen.slice(total).filter((e) => e.type === 'email-changed');
    expect(since).toHaveLength(1);
  });
});
