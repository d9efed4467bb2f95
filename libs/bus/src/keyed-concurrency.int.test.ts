import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BusConsumer, startConsumer } from './consumer.js';
import { createPublisher, type Publisher } from './publisher.js';
import {
  committedOffsets,
  testKafka,
  testLogger,
  uniqueNames,
  voicemailChanged,
  waitUntil,
  waitUntilAsync,
} from './test-support.js';
import { ensureTopics } from './topics.js';

const kafka = testKafka();
const { topic, groupId } = uniqueNames('keyed');
let publisher: Publisher;
let consumer: BusConsumer | undefined;

beforeAll(async () => {
  await ensureTopics(kafka, [{ topic, partitions: 1 }], { logger: testLogger });
  publisher = createPublisher(kafka, { logger: testLogger });
  await publisher.connect();
});
afterAll(async () => {
  await consumer?.stop();
  await publisher?.disconnect();
});

describe('key concurrency (one partition, many mailboxes)', () => {
  it('handles different keys side by side, each key in order, and commits them all', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'].map((u) => `${u}@example.com`);
    const sent = keys.flatMap((key) =>
      [1, 2, 3, 4].map((n) => ({ key, envelope: voicemailChanged(`${key}-${n}`, key) })),
    );
    await publisher.publishBatch(topic, sent);

    const seen = new Map<string, string[]>();
    let running = 0;
    let peak = 0;
    consumer = await startConsumer(kafka, {
      groupId,
      topics: [topic],
      logger: testLogger,
      maxWaitTimeMs: 500,
      keyConcurrency: 8,
      handler: async (envelope, ctx) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 50));
        seen.set(ctx.key ?? '', [...(seen.get(ctx.key ?? '') ?? []), envelope.id]);
        running--;
      },
    });
    await waitUntil(() => [...seen.values()].flat().length === sent.length, 'every message');
    for (const key of keys) {
      expect(seen.get(key)).toEqual([1, 2, 3, 4].map((n) => `${key}-${n}`));
    }
    // 20 messages of 50 ms each took ~4 at a time, not one after another
    expect(peak).toBeGreaterThan(1);
    await waitUntilAsync(
      async () => (await committedOffsets(kafka, groupId, topic)).get(0) === String(sent.length),
      'the commit past the last message',
    );
    // and nothing is handled twice: the next fetch starts after the batch
    await new Promise((r) => setTimeout(r, 1_500));
    expect([...seen.values()].flat()).toHaveLength(sent.length);
  });
});
