import { type Envelope, InvalidEnvelopeError } from '@vmsync/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BusConsumer, startConsumer } from './consumer.js';
import type { MessageContext } from './handler.js';
import { Header, headerValue } from './headers.js';
import { createPublisher, type Publisher } from './publisher.js';
import {
  committedOffsets,
  messageCount,
  readAll,
  testKafka,
  testLogger,
  uniqueNames,
  voicemailChanged,
  waitUntil,
  waitUntilAsync,
} from './test-support.js';
import { ensureTopics } from './topics.js';

const kafka = testKafka();
const { topic, groupId } = uniqueNames('round-trip');
let publisher: Publisher;
const consumers: BusConsumer[] = [];

beforeAll(async () => {
  await ensureTopics(kafka, [{ topic, partitions: 3 }], { logger: testLogger });
  publisher = createPublisher(kafka, { logger: testLogger });
  await publisher.connect();
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await publisher?.disconnect();
});

describe('round trip', () => {
  it('creates the topic and its .dlq, idempotently', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlq`] });
    await admin.disconnect();
    const found = topics.map((t) => [t.name, t.partitions.length]).sort();
    expect(found).toEqual([
      [topic, 3],
      [`${topic}.dlq`, 3],
    ]);
    await expect(ensureTopics(kafka, [{ topic, partitions: 3 }])).resolves.toEqual({ created: [] });
  });

  it('delivers the identical parsed envelope, keyed and typed in headers', async () => {
    const sent = voicemailChanged('rt-1', 'bob@example.com');
    const received: Array<{ envelope: Envelope; ctx: MessageContext }> = [];
    consumers.push(
      await startConsumer(kafka, {
        groupId,
        topics: [topic],
        logger: testLogger,
        maxWaitTimeMs: 500,
        handler: async (envelope, ctx) => {
          received.push({ envelope, ctx });
        },
      }),
    );
    await publisher.publish(topic, 'bob@example.com', sent);
    await waitUntil(() => received.length === 1, 'the envelope');

    const [first] = received;
    expect(first?.envelope).toEqual(sent);
    expect(first?.ctx.key).toBe('bob@example.com');
    expect(first?.ctx.attempt).toBe(1);

    const [raw] = await readAll(kafka, topic, 1);
    expect(headerValue(raw?.headers, Header.type)).toBe('voicemail-changed');
    expect(headerValue(raw?.headers, Header.id)).toBe('rt-1');
    // No span is active here, so no trace headers.
    expect(headerValue(raw?.headers, Header.traceparent)).toBeUndefined();

    // The handler returns before the commit is sent: poll for it.
    const partition = first?.ctx.partition ?? -1;
    const next = String(Number(first?.ctx.offset) + 1);
    await waitUntilAsync(
      async () => (await committedOffsets(kafka, groupId, topic)).get(partition) === next,
      'the commit',
    );
  });

  it('refuses an invalid envelope and sends nothing', async () => {
    const before = await messageCount(kafka, topic);
    const bad = { ...voicemailChanged('rt-bad'), observedAt: -1 } as Envelope;
    await expect(publisher.publish(topic, 'k', bad)).rejects.toBeInstanceOf(InvalidEnvelopeError);
    const mixed = [
      { key: 'k', envelope: voicemailChanged('rt-ok') },
      { key: 'k', envelope: { ...voicemailChanged('rt-bad2'), version: 2 } as unknown as Envelope },
    ];
    await expect(publisher.publishBatch(topic, mixed)).rejects.toMatchObject({
      code: 'EVENT_INVALID',
    });
    expect(await messageCount(kafka, topic)).toBe(before);
  });
});
