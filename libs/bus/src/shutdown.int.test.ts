import { beforeAll, describe, expect, it } from 'vitest';
import { startConsumer } from './consumer.js';
import { createPublisher } from './publisher.js';
import {
  committedOffsets,
  testKafka,
  testLogger,
  uniqueNames,
  voicemailChanged,
  waitUntil,
} from './test-support.js';
import { ensureTopics } from './topics.js';

const kafka = testKafka();
const { topic, groupId } = uniqueNames('shutdown');

beforeAll(async () => {
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const publisher = createPublisher(kafka);
  await publisher.connect();
  await publisher.publishBatch(
    topic,
    ['s0', 's1', 's2'].map((id) => ({ key: 'erin@example.com', envelope: voicemailChanged(id) })),
  );
  await publisher.disconnect();
});

describe('stop()', () => {
  it('lets the in-flight handler finish, commits it, and takes nothing more', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const consumer = await startConsumer(kafka, {
      groupId,
      topics: [topic],
      logger: testLogger,
      maxWaitTimeMs: 200,
      handler: async (envelope) => {
        started.push(envelope.id);
        await new Promise((r) => setTimeout(r, 700));
        finished.push(envelope.id);
      },
    });
    await waitUntil(() => started.length === 1, 'the first message in hand');
    await consumer.stop();

    expect(started).toEqual(['s0']);
    expect(finished).toEqual(['s0']);
    expect((await committedOffsets(kafka, groupId, topic)).get(0)).toBe('1');

    // The rest is still there for the next consumer of the group.
    const next: string[] = [];
    const again = await startConsumer(kafka, {
      groupId,
      topics: [topic],
      logger: testLogger,
      maxWaitTimeMs: 200,
      handler: async (envelope) => {
        next.push(envelope.id);
      },
    });
    await waitUntil(() => next.length === 2, 's1 and s2');
    await again.stop();
    expect(next).toEqual(['s1', 's2']);
    expect((await committedOffsets(kafka, groupId, topic)).get(0)).toBe('3');
  });
});
