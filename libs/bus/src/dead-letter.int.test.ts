import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BusConsumer, startConsumer } from './consumer.js';
import { Header, headerValue } from './headers.js';
import type { DeadLetterEvent } from './hooks.js';
import { createPublisher } from './publisher.js';
import {
  committedOffsets,
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
const { topic, groupId } = uniqueNames('poison');
const key = 'carol@example.com';
let consumer: BusConsumer | undefined;

beforeAll(async () => {
  await ensureTopics(kafka, [{ topic, partitions: 3 }]);
});

afterAll(async () => {
  await consumer?.stop();
});

describe('a poisoned message', () => {
  it('goes to the .dlq with its error, and the next message on the partition is handled', async () => {
    const poison = Buffer.from([0x7b, 0x22, 0xff, 0x00, 0x6e, 0x6f, 0x70, 0x65]); // `{"\xff\0nope`
    const plain = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await plain.connect();
    await plain.send({
      topic,
      messages: [{ key, value: poison, headers: { origin: 'plain-producer' } }],
    });
    await plain.disconnect();
    const publisher = createPublisher(kafka);
    await publisher.connect();
    await publisher.publish(topic, key, voicemailChanged('after-poison', key));
    await publisher.disconnect();

    const handled: string[] = [];
    const deadLettered: DeadLetterEvent[] = [];
    consumer = await startConsumer(kafka, {
      groupId,
      topics: [topic],
      logger: testLogger,
      maxWaitTimeMs: 200,
      hooks: { onDeadLetter: (e) => deadLettered.push(e) },
      handler: async (envelope) => {
        handled.push(envelope.id);
      },
    });
    await waitUntil(() => handled.length === 1, 'the valid message');
    expect(handled).toEqual(['after-poison']);
    expect(deadLettered).toMatchObject([{ reason: 'invalid', code: 'EVENT_INVALID', type: null }]);
    const partition = deadLettered[0]?.partition ?? -1;

    const [dead, ...more] = await readAll(kafka, `${topic}.dlq`, 1);
    expect(more).toEqual([]);
    expect(dead?.key).toBe(key);
    expect(dead?.value).toEqual(poison);
    const h = (name: string) => headerValue(dead?.headers, name);
    expect(h('origin')).toBe('plain-producer');
    expect(h(Header.dlqTopic)).toBe(topic);
    expect(h(Header.dlqPartition)).toBe(String(partition));
    expect(h(Header.dlqOffset)).toBe('0');
    expect(h(Header.dlqGroup)).toBe(groupId);
    expect(h(Header.dlqErrorCode)).toBe('EVENT_INVALID');
    expect(h(Header.dlqErrorMessage)).toMatch(/not JSON/);
    expect(Date.parse(h(Header.dlqFailedAt) ?? '')).toBeGreaterThan(Date.now() - 60_000);

    // Both the poisoned and the valid message are committed.
    await waitUntilAsync(
      async () => (await committedOffsets(kafka, groupId, topic)).get(partition) === '2',
      'offset 2 committed',
    );
  });
});
