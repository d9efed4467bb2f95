import { randomUUID } from 'node:crypto';
import { createKafka, createPublisher, ensureTopics, type Publisher } from '@vmsync/bus';
import { type EnvelopeOf, type MailAction, topicNames, userKey } from '@vmsync/events';
import { declareMailboxes, mailboxesTopicSpec } from '@vmsync/imap-mailbox';
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

const stack = stackEnv();
const USER = 'user12@example.test';
const prefix = `${uniqueName('ma')}.`;
const deployment = uniqueName('ma').toLowerCase();
const topics = topicNames(prefix);
const kafka = createKafka({ brokers: stack.VMSYNC_KAFKA_BROKERS.split(','), clientId: 'ma-test' });
const env = serviceEnv(stack, { prefix, deployment, domainsFile: writeTestDomainsFile(stack) });

type Changed = EnvelopeOf<'email-changed'>;

describe('mail-actuator with the email-watcher (real Kafka, Redis, Dovecot)', () => {
  let user: TestMailbox;
  let publisher: Publisher;
  let reader: Collected;
  const store = new Store({ url: stack.VMSYNC_REDIS_URL, prefix: deployment });
  const watcher = new ServiceProcess('email-watcher', env);
  const actuator = new ServiceProcess('mail-actuator', env);

  const redisNow = async () => {
    const [s, us] = await store.redis.time();
    return Number(s) * 1000 + Number(us) / 1000;
  };
  const events = (emailId: string) =>
    reader.seen
      .filter((e): e is Changed => e.type === 'email-changed' && e.payload.ref.emailId === emailId)
      .map((e) => e.payload);
  const nth = (emailId: string, n: number) =>
    waitFor(`event #${n + 1} of ${emailId}`, () => events(emailId)[n], 20_000);
  const outcomes = (commandId: string) =>
    actuator
      .logs()
      .filter((l) => l.commandId === commandId && l.msg === 'command carried out')
      .map((l) => l.outcome);
  const outcome = (commandId: string) =>
    waitFor(`outcome of ${commandId}`, () => outcomes(commandId)[0] as string | undefined, 20_000);
  const command = async (
    emailId: string,
    action: MailAction,
    o: { commandId?: string; observedAt?: number } = {},
  ) => {
    const commandId = o.commandId ?? `cmd-${randomUUID()}`;
    const envelope: EnvelopeOf<'mail-command'> = {
      id: commandId,
      type: 'mail-command',
      version: 1,
      observedAt: o.observedAt ?? (await redisNow()),
      correlationId: 'evt-test',
      causationId: 'evt-test',
      payload: { commandId, ref: { account: USER, emailId }, action },
    };
    await publisher.publish(topics.mailCommands, userKey(USER), envelope);
    return commandId;
  };

  beforeAll(async () => {
    user = await TestMailbox.open(stack, USER);
    await user.reset();
    await store.connect();
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

  let mid = '';
  const id = () => `mid:${mid}`;

  it('marks an email read; the change comes back as an echo of the command', async () => {
    mid = await user.deliver();
    await nth(id(), 0);
    const commandId = await command(id(), 'ensure-read');
    expect(await outcome(commandId)).toBe('applied');
    expect(await user.where(mid)).toEqual([{ folder: 'INBOX', read: true }]);
    expect(await nth(id(), 1)).toMatchObject({
      before: { location: 'inbox', read: false },
      after: { location: 'inbox', read: true },
      echoOf: commandId,
    });
  });

  it('moves to Trash once for the same command twice; a new one for the same state is a no-op', async () => {
    const commandId = `cmd-${randomUUID()}`;
    await command(id(), 'ensure-trash', { commandId });
    await command(id(), 'ensure-trash', { commandId });
    await waitFor('both deliveries', () => (outcomes(commandId).length >= 2 ? true : undefined));
    expect(outcomes(commandId)).toEqual(['applied', 'duplicate']);
    expect(await nth(id(), 2)).toMatchObject({ after: { location: 'trash' }, echoOf: commandId });
    expect(await outcome(await command(id(), 'ensure-trash'))).toBe('already');
    expect(await user.where(mid)).toEqual([{ folder: 'Trash', read: true }]);
  });

  it('restores from Trash to Inbox (echo), and reports an unknown email without retrying', async () => {
    const commandId = await command(id(), 'ensure-inbox');
    expect(await outcome(commandId)).toBe('applied');
    expect(await nth(id(), 3)).toMatchObject({ after: { location: 'inbox' }, echoOf: commandId });
    const missing = await command('mid:<nowhere@pbx>', 'ensure-read');
    expect(await outcome(missing)).toBe('not-found');
    await new Promise((r) => setTimeout(r, 500));
    expect(outcomes(missing)).toEqual(['not-found']);
  });

  it('newer wins: refuses a command caused before the user changed the same part', async () => {
    const causedAt = await redisNow();
    await user.markUnread(mid);
    await nth(id(), 4); // the watcher saw the user's change (after causedAt)
    const stale = await command(id(), 'ensure-read', { observedAt: causedAt });
    expect(await outcome(stale)).toBe('superseded');
    expect(await user.where(mid)).toEqual([{ folder: 'INBOX', read: false }]);
    // The other part (deletion) is not refused by a read change.
    const trash = await command(id(), 'ensure-trash', { observedAt: causedAt });
    expect(await outcome(trash)).toBe('applied');
  });
});
