import { createKafka, createPublisher, ensureTopics, type Publisher } from '@vmsync/bus';
import { type EnvelopeOf, topicNames } from '@vmsync/events';
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

const stack = stackEnv();
const USERS = ['user13@example.test', 'user14@example.test', 'user15@example.test'];
const prefix = `${uniqueName('ews')}.`;
const deployment = uniqueName('ews').toLowerCase();
const topics = topicNames(prefix);
const kafka = createKafka({ brokers: stack.VMSYNC_KAFKA_BROKERS.split(','), clientId: 'ews-test' });
const env = serviceEnv(stack, { prefix, deployment, domainsFile: writeTestDomainsFile(stack) });

describe('email-watcher shards: two instances, one killed', () => {
  const store = new Store({ url: stack.VMSYNC_REDIS_URL, prefix: deployment });
  const statuses = new MailboxStatusStore(store);
  const instances = new Map(
    ['a', 'b'].map((name) => [
      name,
      new ServiceProcess('email-watcher', { ...env, VMSYNC_INSTANCE: name }),
    ]),
  );
  const mailboxes: TestMailbox[] = [];
  let publisher: Publisher;
  let reader: Collected;

  /** Which instance watches each mailbox, once every one is watched. */
  const owners = async (): Promise<Map<string, string> | undefined> => {
    const all = await statuses.all();
    const watching = new Map(
      all.filter((s) => s.state === 'watching').map((s) => [s.account, s.instance]),
    );
    return USERS.every((u) => watching.has(u)) ? watching : undefined;
  };

  beforeAll(async () => {
    await store.connect();
    for (const u of USERS) {
      const m = await TestMailbox.open(stack, u);
      await m.reset();
      mailboxes.push(m);
    }
    await ensureTopics(kafka, [
      mailboxesTopicSpec(topics, 4),
      { topic: topics.emailChanged, partitions: 4 },
    ]);
    publisher = createPublisher(kafka);
    await publisher.connect();
    await declareMailboxes(
      publisher,
      topics,
      USERS.map((account) => ({ account, server: 'pbx1' })),
    );
    reader = await collectEnvelopes(kafka, [topics.emailChanged]);
    await Promise.all([...instances.values()].map((p) => p.start()));
  });
  afterAll(async () => {
    await Promise.allSettled([...instances.values()].map((p) => p.stop()));
    await Promise.allSettled([
      reader?.stop(),
      publisher?.disconnect(),
      store.close(),
      ...mailboxes.map((m) => m.close()),
    ]);
  });

  it('each mailbox is watched by exactly one instance; the survivor takes over within 30 s', async () => {
    const before = await waitFor('every mailbox watched', owners, 30_000);
    // Kill the instance that watches the most (with 3 mailboxes, at least one).
    const counts = new Map<string, number>();
    for (const owner of before.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    const victim = [...counts].sort((x, y) => y[1] - x[1])[0]?.[0] as string;
    const survivor = victim === 'a' ? 'b' : 'a';
    instances.get(victim)?.kill('SIGKILL');
    const killedAt = Date.now();
    const after = await waitFor(
      'the survivor watches every mailbox',
      async () => {
        const o = await owners();
        return o && [...o.values()].every((i) => i === survivor) ? o : undefined;
      },
      30_000,
      250,
    );
    expect(after.size).toBe(USERS.length);
    expect(Date.now() - killedAt).toBeLessThan(30_000);

    // And it sees changes in a mailbox it took over.
    const taken = USERS.find((u) => before.get(u) === victim) as string;
    const m = mailboxes[USERS.indexOf(taken)] as TestMailbox;
    const mid = await m.deliver();
    const event = await waitFor(
      'the new notification',
      () =>
        reader.seen.find(
          (e): e is EnvelopeOf<'email-changed'> =>
            e.type === 'email-changed' && e.payload.ref.emailId === `mid:${mid}`,
        ),
      20_000,
    );
    expect(event.payload.ref.account).toBe(taken);
  });
});
