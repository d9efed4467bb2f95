import { randomUUID } from 'node:crypto';
import { type Envelope, parseEnvelope } from '@vmsync/events';
import type { Consumer, Kafka } from 'kafkajs';

export interface Collected {
  seen: Envelope[];
  stop(): Promise<void>;
}

/** Reads every envelope published on `topics` from the beginning, into `seen`. */
export async function collectEnvelopes(kafka: Kafka, topics: string[]): Promise<Collected> {
  const seen: Envelope[] = [];
  const consumer: Consumer = kafka.consumer({
    groupId: `test-reader-${randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value !== null) seen.push(parseEnvelope(message.value));
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}
