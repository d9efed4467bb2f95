/**
 * The safety fuse and dry run on the real rules service (Kafka, Redis): a reconciliation
 * that would delete most of a mailbox is cut off, a message found nowhere deletes nothing,
 * and a dry run publishes no command. What an operator reads is checked too: the log, the
 * Redis records (docs/reliability.md) and the metric.
 */
import { createKafka, createPublisher, ensureTopics, type Publisher } from '@vmsync/bus';
import { type Envelope, parseEnvelope, topicNames, userKey } from '@vmsync/events';
import { signRef } from '@vmsync/notification';
import { Store } from '@vmsync/store';
import { ServiceProcess, uniqueName, waitFor } from '@vmsync/testkit';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const brokers = process.env.VMSYNC_KAFKA_BROKERS;
const redisUrl = process.env.VMSYNC_REDIS_URL;
if (!brokers || !redisUrl) throw new Error('start the stack first: ./vmsync stack up');
const SECRET = 'fuse-int-test-secret';
const kafka = createKafka({ brokers: brokers.split(','), clientId: 'fuse-int-test' });
let clock = 1_764_300_000_000;
let seq = 0;

function deployment(name: string, extra: Record<string, string> = {}) {
  const prefix = `${uniqueName(name)}.`;
  const id = uniqueName(name).toLowerCase();
  return {
    id,
    topics: topicNames(prefix),
    env: {
      VMSYNC_KAFKA_BROKERS: brokers ?? '',
      VMSYNC_REDIS_URL: redisUrl ?? '',
      VMSYNC_DEPLOYMENT: id,
      VMSYNC_TOPIC_PREFIX: prefix,
      VMSYNC_PARTITIONS: '2',
      VMSYNC_REF_SECRET: SECRET,
      VMSYNC_PBX_SENDERS: 'asterisk@pbx.example.test',
      VMSYNC_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      ...extra,
    },
  };
}

const head = () => {
  const id = `evt-${++seq}-${Date.now()}`;
  return { id, version: 1 as const, observedAt: ++clock, correlationId: id, causationId: null };
};
const vm = (user: string, msgId: string) =>
  ({
    ...head(),
    type: 'voicemail-changed',
    payload: {
      ref: { server: 'pbx1', mailbox: '1001@default', msgId },
      phase: 'snapshot',
      before: null,
      after: { folder: 'new', heard: false },
      notify: { email: user, kind: 'wav' },
      audio: { size: 64044, sha256: 'a'.repeat(64), format: 'wav' },
      meta: { callerId: '"Alice" <2001>', origTime: 1_764_300_000, duration: 4 },
      echoOf: null,
    },
  }) as Envelope;
const mail = (user: string, msgId: string, over: Record<string, unknown> = {}) =>
  ({
    ...head(),
    type: 'email-changed',
    payload: {
      ref: { account: user, emailId: `mid:<${msgId}@pbx>` },
      phase: 'snapshot',
      before: null,
      after: { location: 'inbox', read: false },
      notification: {
        messageId: `<${msgId}@pbx>`,
        from: 'asterisk@pbx.example.test',
        date: 1_764_300_002_000,
        headers: {
          'x-vmsync-ref': signRef(
            { server: 'pbx1', mailbox: '1001@default', msgId, to: user },
            SECRET,
          ),
        },
        attachment: { filename: 'msg.wav', size: 87_000, type: 'audio/x-wav', encoding: 'base64' },
      },
      echoOf: null,
      ...over,
    },
  }) as Envelope;

async function world(name: string, extra: Record<string, string> = {}) {
  const d = deployment(name, extra);
  const commandTopics = [d.topics.mailCommands, d.topics.voicemailCommands('pbx1')];
  await ensureTopics(kafka, [
    { topic: d.topics.voicemailChanged, partitions: 2 },
    { topic: d.topics.emailChanged, partitions: 2 },
    ...commandTopics.map((topic) => ({ topic, partitions: 2 })),
  ]);
  const seen: Envelope[] = [];
  const reader: Consumer = kafka.consumer({ groupId: uniqueName('fuse-reader') });
  await reader.connect();
  await reader.subscribe({ topics: commandTopics, fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => void seen.push(parseEnvelope(message.value)),
  });
  const store = new Store({ url: redisUrl ?? '', prefix: d.id });
  await store.connect();
  const rules = new ServiceProcess('rules', d.env);
  await rules.start();
  const publish = (e: Envelope) =>
    e.type === 'voicemail-changed'
      ? publisher.publish(d.topics.voicemailChanged, userKey(e.payload.notify?.email ?? ''), e)
      : e.type === 'email-changed'
        ? publisher.publish(d.topics.emailChanged, userKey(e.payload.ref.account), e)
        : Promise.reject(new Error('not an event'));
  const linkPairs = async (user: string, n: number) => {
    const ids = Array.from({ length: n }, (_, i) => `${user}-m${i}`);
    for (const id of ids) {
      await publish(vm(user, id));
      await publish(mail(user, id));
    }
    await waitFor(`${n} links`, () =>
      rules.logs().filter((l) => l.linked === true).length >= n ? true : undefined,
    );
    return ids;
  };
  return { d, seen, reader, rules, publish, linkPairs, redis: store.redis, store };
}

let publisher: Publisher;
const opened: Awaited<ReturnType<typeof world>>[] = [];

beforeAll(async () => {
  publisher = createPublisher(kafka);
  await publisher.connect();
});
afterAll(async () => {
  for (const w of opened) {
    await w.rules.stop();
    await w.reader.disconnect();
    await w.store.close();
  }
  await publisher?.disconnect();
});

describe('safety fuse (real rules service)', () => {
  it('cuts off a reconciliation that would delete most of a mailbox, and says so', async () => {
    const w = await world('fuse');
    opened.push(w);
    const user = 'fuse1@example.test';
    const ids = await w.linkPairs(user, 5);
    // a fault on the mail side: the next snapshot shows 4 of the 5 emails in Trash
    for (const id of ids.slice(0, 4)) {
      await w.publish(mail(user, id, { after: { location: 'trash', read: false } }));
    }
    await waitFor('the fuse in the log', () =>
      w.rules.logs().filter((l) => /refused/.test(String(l.msg))).length >= 2 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const deletions = w.seen.filter(
      (c) => c.type === 'voicemail-command' && c.payload.action === 'ensure-deleted',
    );
    // 5 voicemails, at most 50% past the first 2: the 3rd and 4th are refused
    expect(deletions).toHaveLength(2);
    const tripped = await w.redis.hgetall(`rules:fuse:tripped:${user}`);
    expect(tripped).toMatchObject({ user, reason: 'share' });
    expect(await w.redis.zscore(`rules:fuse:tripped`, user)).not.toBeNull();
    const refused = (await w.redis.lrange(`rules:fuse:refused`, 0, -1)).map(
      (r) => JSON.parse(r) as Record<string, unknown>,
    );
    expect(refused.map((r) => r.reason).sort()).toEqual(['share', 'tripped']);
    expect(refused[0]).toMatchObject({ user, action: 'ensure-deleted', phase: 'reconcile' });
    const opsPort = w.rules.logs().find((l) => l.opsPort)?.opsPort;
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toMatch(/vmsync_rules_deletions_refused_total\{reason="share"\} 1/);
    expect(metrics).toMatch(/vmsync_rules_deletions_refused_total\{reason="tripped"\} 1/);
  }, 60_000);

  it('deletes nothing because its partner was found nowhere; a user delete still goes', async () => {
    const w = opened[0] ?? (await world('fuse'));
    const user = 'fuse2@example.test';
    const [gone, trashed] = await w.linkPairs(user, 2);
    const inbox = { location: 'inbox', read: false };
    await w.publish(
      mail(user, gone ?? '', {
        phase: 'change',
        before: inbox,
        after: { location: 'purged', read: false },
      }),
    );
    await w.publish(
      mail(user, trashed ?? '', {
        phase: 'change',
        before: inbox,
        after: { location: 'trash', read: false },
      }),
    );
    const done = await waitFor('the user delete', () =>
      w.seen.find((c) => c.type === 'voicemail-command' && c.payload.ref.msgId === trashed),
    );
    expect(done).toMatchObject({ payload: { action: 'ensure-deleted' } });
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      w.seen.filter((c) => c.type === 'voicemail-command' && c.payload.ref.msgId === gone),
    ).toHaveLength(0);
    const refused = (await w.redis.lrange(`rules:fuse:refused`, 0, -1)).map(
      (r) => JSON.parse(r) as Record<string, unknown>,
    );
    expect(refused.find((r) => r.user === user)).toMatchObject({
      reason: 'vanished',
      cause: 'vanished',
      phase: 'change',
      target: `pbx1/1001@default/${gone}`,
    });
  }, 60_000);
});

describe('dry run (VMSYNC_DRY_RUN=true)', () => {
  it('logs the commands it would publish and publishes none', async () => {
    const w = await world('dry', { VMSYNC_DRY_RUN: 'true' });
    opened.push(w);
    const user = 'dry1@example.test';
    const [id] = await w.linkPairs(user, 1);
    await w.publish(
      mail(user, id ?? '', {
        phase: 'change',
        before: { location: 'inbox', read: false },
        after: { location: 'inbox', read: true },
      }),
    );
    const line = await waitFor('the dry-run line', () =>
      w.rules
        .logs()
        .find(
          (l) =>
            l.msg === 'dry run: decided, nothing published' && (l.commands as string[]).length > 0,
        ),
    );
    expect(String((line.commands as string[])[0])).toMatch(/^ensure-heard cmd-/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.seen).toHaveLength(0);
  }, 60_000);
});
