import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from './topics.js';

/** A broker that says "already exists" and then, for a while, does not know the topic. */
function brokerLagging(
  unknownFor: number,
  error: Error = retriable(),
  create: () => Promise<boolean> = async () => false,
) {
  const calls = { metadata: 0 };
  const admin = {
    connect: async () => {},
    disconnect: async () => {},
    listTopics: async () => [],
    createTopics: create,
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      calls.metadata += 1;
      if (calls.metadata <= unknownFor) throw error;
      return { topics: topics.map((name) => ({ name, partitions: [{}, {}] })) };
    },
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, calls };
}

function retriable() {
  return Object.assign(new Error('This server does not host this topic-partition'), {
    retriable: true,
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
  });
}

describe('ensureTopics when another service created the topics a moment ago', () => {
  it('waits until the broker knows them instead of failing the start', async () => {
    const { kafka, calls } = brokerLagging(3);
    // Not created here: the other service did.
    await expect(ensureTopics(kafka, [{ topic: 't', partitions: 2 }])).resolves.toEqual({
      created: [],
    });
    expect(calls.metadata).toBe(4);
  });

  it('gives up with the broker’s error after the timeout', async () => {
    const { kafka } = brokerLagging(1_000);
    await expect(
      ensureTopics(kafka, [{ topic: 't', partitions: 2 }], { timeoutMs: 300 }),
    ).rejects.toThrow('does not host this topic-partition');
  });

  it('does not retry an error that will not pass', async () => {
    const refused = Object.assign(new Error('Topic authorization failed'), { retriable: false });
    const { kafka, calls } = brokerLagging(5, refused);
    await expect(ensureTopics(kafka, [{ topic: 't', partitions: 2 }])).rejects.toThrow(
      'Topic authorization failed',
    );
    expect(calls.metadata).toBe(1);
  });

  it('tries again when the creation itself fails waiting for the new topics’ leaders', async () => {
    let creations = 0;
    const { kafka } = brokerLagging(0, retriable(), async () => {
      creations += 1;
      if (creations === 1) throw retriable();
      return true;
    });
    await expect(ensureTopics(kafka, [{ topic: 't', partitions: 2 }])).resolves.toEqual({
      created: ['t', 't.dlq'],
    });
    expect(creations).toBe(2);
  });
});
