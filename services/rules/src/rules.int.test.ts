import { createKafka, createPublisher, ensureTopics, type Publisher } from '@vmsync/bus';
import { type Envelope, parseEnvelope, topicNames, userKey } from '@vmsync/events';
import { signRef } from '@vmsync/notification';
import { ServiceProcess, uniqueName, waitFor } from '@vmsync/testkit';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const brokers = process.env.VMSYNC_KAFKA_BROKERS;
const redisUrl = process.env.VMSYNC_REDIS_URL;
if (!brokers || !redisUrl) throw new Error('start the stack first: ./vmsync stack up');

const SECRET = 'rules-int-test-secret';
const prefix = `${uniqueName('rules')}.`;
const topics = topicNames(prefix);
const deployment = uniqueName('rules').toLowerCase();
const kafka = createKafka({ brokers: brokers.split(','), clientId: 'rules-int-test' });
const env = {
  VMSYNC_KAFKA_BROKERS: brokers,
  VMSYNC_REDIS_URL: redisUrl,
  VMSYNC_DEPLOYMENT: deployment,
  VMSYNC_TOPIC_PREFIX: prefix,
  VMSYNC_PARTITIONS: '4',
  VMSYNC_REF_SECRET: SECRET,
  VMSYNC_PBX_SENDERS: 'asterisk@pbx.example.test',
  VMSYNC_LOG_LEVEL: 'info',
  VMSYNC_CONSUMER_SESSION_TIMEOUT_MS: '6000',
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
};

let seq = 0;
let clock = 1_764_300_000_000;
function head(id = `evt-${++seq}`) {
  return { id, version: 1 as const, observedAt: ++clock, correlationId: id, causationId: null };
}

function voicemailEvent(
  user: string,
  msgId: string,
  over: Partial<Record<string, unknown>> = {},
): Envelope {
  return {
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
      ...over,
    },
  } as Envelope;
}

function emailEvent(
  user: string,
  msgId: string,
  over: Partial<Record<string, unknown>> = {},
): Envelope {
  const ref = signRef({ server: 'pbx1', mailbox: '1001@default', msgId, to: user }, SECRET);
  return {
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
        headers: { 'x-vmsync-ref': ref },
        attachment: {
          filename: 'msg0000.wav',
          size: 87_000,
          type: 'audio/x-wav',
          encoding: 'base64',
        },
      },
      echoOf: null,
      ...over,
    },
  } as Envelope;
}

/** Collects every command the rules publish. */
async function collect(groupTopics: string[]): Promise<{ consumer: Consumer; seen: Envelope[] }> {
  const seen: Envelope[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('rules-test-reader') });
  await consumer.connect();
  await consumer.subscribe({ topics: groupTopics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => void seen.push(parseEnvelope(message.value)),
  });
  return { consumer, seen };
}

describe('rules service (real Kafka and Redis)', () => {
  let publisher: Publisher;
  let reader: { consumer: Consumer; seen: Envelope[] };
  const replicas: ServiceProcess[] = [];

  const publish = (e: Envelope) => {
    const user =
      e.type === 'voicemail-changed'
        ? e.payload.notify?.email
        : e.type === 'email-changed'
          ? e.payload.ref.account
          : '';
    const topic = e.type === 'voicemail-changed' ? topics.voicemailChanged : topics.emailChanged;
    return publisher.publish(topic, userKey(user ?? ''), e);
  };
  const commandsFor = (user: string) =>
    reader.seen.filter(
      (c) =>
        (c.type === 'mail-command' && c.payload.ref.account === user) ||
        (c.type === 'voicemail-command' &&
          c.correlationId.length > 0 &&
          c.payload.ref.msgId.startsWith(`${user}-`)),
    );

  beforeAll(async () => {
    await ensureTopics(kafka, [
      { topic: topics.voicemailChanged, partitions: 4 },
      { topic: topics.emailChanged, partitions: 4 },
      { topic: topics.mailCommands, partitions: 4 },
      { topic: topics.voicemailCommands('pbx1'), partitions: 4 },
    ]);
    publisher = createPublisher(kafka);
    await publisher.connect();
    reader = await collect([topics.mailCommands, topics.voicemailCommands('pbx1')]);
    for (let i = 0; i < 2; i++) {
      const replica = new ServiceProcess('rules', env);
      await replica.start();
      replicas.push(replica);
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await reader?.consumer.disconnect();
    await publisher?.disconnect();
  });

  it('links a pair, and turns a change into the right command', async () => {
    const user = 'user1@example.test';
    const msgId = `${user}-m1`;
    await publish(voicemailEvent(user, msgId));
    await publish(emailEvent(user, msgId));
    // both unheard/unread: linked, nothing to do. Then the user deletes the voicemail.
    await publish(
      voicemailEvent(user, msgId, {
        phase: 'change',
        before: { folder: 'new', heard: false },
        after: { folder: 'deleted', heard: false },
      }),
    );
    const command = await waitFor('the ensure-trash command', () =>
      commandsFor(user).find((c) => c.type === 'mail-command'),
    );
    expect(command).toMatchObject({
      type: 'mail-command',
      payload: { ref: { account: user, emailId: `mid:<${msgId}@pbx>` }, action: 'ensure-trash' },
    });
    // The link and the deletion may be decided in either order (two topics, two
    // replicas): each may command the same "make it so", never anything else.
    await new Promise((r) => setTimeout(r, 500));
    for (const c of commandsFor(user)) {
      expect(c).toMatchObject({ type: 'mail-command', payload: { action: 'ensure-trash' } });
    }
  });

  it('reconciles at link time: heard before the email arrived -> email marked read', async () => {
    const user = 'user2@example.test';
    const msgId = `${user}-m1`;
    await publish(voicemailEvent(user, msgId, { after: { folder: 'saved', heard: true } }));
    await publish(emailEvent(user, msgId));
    const command = await waitFor('ensure-read', () => commandsFor(user)[0]);
    expect(command).toMatchObject({ type: 'mail-command', payload: { action: 'ensure-read' } });
  });

  it('yields one command id for the same event processed twice', async () => {
    const user = 'user3@example.test';
    const msgId = `${user}-m1`;
    await publish(voicemailEvent(user, msgId));
    await publish(emailEvent(user, msgId));
    const read = emailEvent(user, msgId, {
      phase: 'change',
      before: { location: 'inbox', read: false },
      after: { location: 'inbox', read: true },
    });
    await publish(read);
    await publish(read);
    await waitFor('two deliveries', () => (commandsFor(user).length >= 2 ? true : undefined));
    const ids = new Set(commandsFor(user).map((c) => c.id));
    expect(ids.size).toBe(1);
    expect(commandsFor(user)[0]).toMatchObject({
      type: 'voicemail-command',
      causationId: read.id,
      payload: { action: 'ensure-heard', ref: { msgId } },
    });
  });

  it('carries an unread made in Trash to the voicemail once vmsync brings the email back', async () => {
    // Soak, seed 29902: the phone user undeletes a heard voicemail, then the mail user
    // marks its email unread in Trash; the mail-actuator skips "mark read" (newer wins)
    // and moves the email back. Its echo must carry the unread to the voicemail.
    const user = 'user5@example.test';
    const msgId = `${user}-m1`;
    const decision = (id: string) =>
      waitFor(`the decision on ${id}`, () =>
        replicas.flatMap((r) => r.logs()).find((l) => l.event === id && l.outcome !== undefined),
      );
    await publish(voicemailEvent(user, msgId, { after: { folder: 'deleted', heard: true } }));
    const email = emailEvent(user, msgId, { after: { location: 'trash', read: true } });
    await publish(email);
    expect(await decision(email.id)).toMatchObject({ linked: true, commands: [] });
    const undelete = voicemailEvent(user, msgId, {
      phase: 'change',
      before: { folder: 'deleted', heard: true },
      after: { folder: 'saved', heard: true },
    });
    await publish(undelete);
    const toInbox = await waitFor('ensure-inbox', () =>
      commandsFor(user).find(
        (c) => c.type === 'mail-command' && c.payload.action === 'ensure-inbox',
      ),
    );
    const unread = emailEvent(user, msgId, {
      phase: 'change',
      before: { location: 'trash', read: true },
      after: { location: 'trash', read: false },
    });
    await publish(unread);
    expect(await decision(unread.id)).toMatchObject({ outcome: 'commands', commands: [] });
    const echo = emailEvent(user, msgId, {
      phase: 'change',
      before: { location: 'trash', read: false },
      after: { location: 'inbox', read: false },
      echoOf: toInbox.id,
    });
    await publish(echo);
    const unheard = await waitFor('ensure-unheard', () =>
      commandsFor(user).find((c) => c.type === 'voicemail-command'),
    );
    expect(unheard).toMatchObject({
      causationId: echo.id,
      observedAt: unread.observedAt,
      payload: { action: 'ensure-unheard', ref: { msgId } },
    });
    expect(
      commandsFor(user)
        .map((c) => (c.payload as { action: string }).action)
        .sort(),
    ).toEqual(['ensure-inbox', 'ensure-read', 'ensure-unheard']);
  });

  it('refuses a forged notification: nothing links, nothing is commanded', async () => {
    const user = 'user4@example.test';
    const msgId = `${user}-m1`;
    await publish(voicemailEvent(user, msgId));
    const forged = emailEvent(user, msgId, {
      after: { location: 'trash', read: true },
    }) as Extract<Envelope, { type: 'email-changed' }>;
    forged.payload.notification.headers['x-vmsync-ref'] = signRef(
      { server: 'pbx1', mailbox: '1001@default', msgId, to: user },
      'not-the-secret',
    );
    await publish(forged);
    await waitFor(
      'the refusal in the log',
      () =>
        replicas.some((r) =>
          r.logs().some((l) => l.event === forged.id && l.outcome === 'refused'),
        ) || undefined,
    );
    expect(commandsFor(user)).toHaveLength(0);
  });

  it('loses no event when a replica is killed mid-stream', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `kill${i}@example.test`);
    for (const user of users) {
      await publish(voicemailEvent(user, `${user}-m1`));
      await publish(emailEvent(user, `${user}-m1`));
    }
    const reads = users.map((user) =>
      emailEvent(user, `${user}-m1`, {
        phase: 'change',
        before: { location: 'inbox', read: false },
        after: { location: 'inbox', read: true },
      }),
    );
    const half = reads.length / 2;
    await Promise.all(reads.slice(0, half).map(publish));
    const victim = replicas[0];
    victim?.kill('SIGKILL');
    expect(await victim?.exited()).toBeNull(); // killed by the signal, no exit code
    await Promise.all(reads.slice(half).map(publish));
    const expected = new Set(reads.map((r) => r.id));
    await waitFor(
      'a command for every read',
      () => {
        const causes = new Set(reader.seen.map((c) => c.causationId));
        return [...expected].every((id) => causes.has(id)) ? true : undefined;
      },
      45_000,
    );
    for (const user of users) {
      const ids = new Set(commandsFor(user).map((c) => c.id));
      expect(ids.size).toBe(1);
    }
  }, 90_000);
});
