import { createKafka, createPublisher, ensureTopics, type Publisher } from '@vmsync/bus';
import { topicNames, userKey } from '@vmsync/events';
import {
  declareMailboxes,
  type MailboxStatus,
  MailboxStatusStore,
  mailboxesTopicSpec,
} from '@vmsync/imap-mailbox';
import { serviceEnv, stackEnv, writeTestDomainsFile } from '@vmsync/imap-mailbox/testing';
import { Store } from '@vmsync/store';
import { ServiceProcess, uniqueName, waitFor } from '@vmsync/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const stack = stackEnv();
const kafka = createKafka({ brokers: stack.VMSYNC_KAFKA_BROKERS.split(','), clientId: 'ew-admin' });

/** A deployment of its own whose mail credential is `key`, watching `account`. */
async function deploymentWith(key: string, account: string) {
  const prefix = `${uniqueName('ewa')}.`;
  const deployment = uniqueName('ewa').toLowerCase();
  const topics = topicNames(prefix);
  const env = serviceEnv(stack, {
    prefix,
    deployment,
    domainsFile: writeTestDomainsFile(stack, key),
  });
  await ensureTopics(kafka, [
    mailboxesTopicSpec(topics, 4),
    { topic: topics.mailCommands, partitions: 4 },
  ]);
  const publisher: Publisher = createPublisher(kafka);
  await publisher.connect();
  await declareMailboxes(publisher, topics, [{ account, server: 'pbx1' }]);
  const store = new Store({ url: stack.VMSYNC_REDIS_URL, prefix: deployment });
  await store.connect();
  const watcher = new ServiceProcess('email-watcher', env);
  return { topics, publisher, store, statuses: new MailboxStatusStore(store), watcher, env };
}

describe('a mailbox whose credential an administrator must fix', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  });

  it.each([
    [
      'undelegated key',
      'VMSYNC_TEST_SA_KEY_UNDELEGATED',
      'user16@example.test',
      'DELEGATION_MISSING',
      /Domain-wide delegation/,
    ],
    [
      'deleted key',
      'VMSYNC_TEST_SA_KEY_DELETED',
      'user17@example.test',
      'KEY_INVALID',
      /create a new JSON key/,
    ],
  ] as const)(
    '%s: "needs admin action" with what to do, and no retry loop',
    async (_, keyVar, account, code, advice) => {
      const d = await deploymentWith(stack[keyVar], account);
      cleanup.push(
        () => d.watcher.stop(),
        () => d.publisher.disconnect(),
        () => d.store.close(),
      );
      await d.watcher.start();
      const status = await waitFor(
        'needs-admin-action',
        async () => {
          const s = await d.statuses.get(account);
          return s?.state === 'needs-admin-action' ? s : undefined;
        },
        20_000,
      );
      expect(status).toMatchObject<Partial<MailboxStatus>>({ code, attempts: 1 });
      expect(status.message).toMatch(advice);
      expect(status.nextAttemptAt ?? 0).toBeGreaterThan(Date.now() + 20_000);
      await new Promise((r) => setTimeout(r, 3_000));
      expect((await d.statuses.get(account))?.attempts).toBe(1);
      const reported = d.watcher.logs().filter((l) => l.msg === 'mailbox needs admin action');
      expect(reported).toHaveLength(1);
      expect(reported[0]).toMatchObject({ account, code });
    },
  );

  it('the mail-actuator dead-letters a command for such a mailbox with the admin message, once', async () => {
    const account = 'user16@example.test';
    const d = await deploymentWith(stack.VMSYNC_TEST_SA_KEY_UNDELEGATED, account);
    const actuator = new ServiceProcess('mail-actuator', d.env);
    cleanup.push(
      () => actuator.stop(),
      () => d.publisher.disconnect(),
      () => d.store.close(),
    );
    await actuator.start();
    for (const commandId of ['cmd-admin-1', 'cmd-admin-2']) {
      await d.publisher.publish(d.topics.mailCommands, userKey(account), {
        id: commandId,
        type: 'mail-command',
        version: 1,
        observedAt: Date.now(),
        correlationId: 'evt',
        causationId: 'evt',
        payload: { commandId, ref: { account, emailId: 'mid:<x@pbx>' }, action: 'ensure-read' },
      });
    }
    const deadLettered = () =>
      actuator
        .logs()
        .filter(
          (l) =>
            l.msg === 'dead-lettering' &&
            (l.err as { code?: string })?.code === 'DELEGATION_MISSING',
        );
    await waitFor('both commands dead-lettered', () =>
      deadLettered().length >= 2 ? true : undefined,
    );
    // The second fails fast from the remembered failure: one token request in all.
    expect(
      actuator.logs().filter((l) => l.msg === 'mailbox needs admin action; command not applied'),
    ).toHaveLength(2);
    expect(deadLettered().every((l) => l.attempts === 1)).toBe(true);
  });
});
