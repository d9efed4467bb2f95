// Shared by the integration tests only; not exported from index.ts.
import { randomUUID } from 'node:crypto';
import type { EnvelopeOf } from '@vmsync/events';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { createKafka } from './kafka.js';
import type { BusLogger } from './logger.js';

export function brokersFromEnv(): string[] {
  const brokers = process.env.VMSYNC_KAFKA_BROKERS;
  if (brokers === undefined || brokers === '') {
    throw new Error(
      'VMSYNC_KAFKA_BROKERS is not set: run scripts/stack/kafka.sh up, then export $(cat .stack/kafka.env)',
    );
  }
  return brokers.split(',');
}

/** Set BUS_TEST_LOGS=1 to see the bus's and kafkajs's logs while debugging a test. */
export const testLogger: BusLogger =
  process.env.BUS_TEST_LOGS === '1'
    ? {
        debug: (o, m) => console.debug(m, o),
        info: (o, m) => console.info(m, o),
        warn: (o, m) => console.warn(m, o),
        error: (o, m) => console.error(m, o),
      }
    : { debug() {}, info() {}, warn() {}, error() {} };

export function testKafka(clientId = 'bus-int-test'): Kafka {
  return createKafka({ brokers: brokersFromEnv(), clientId, logger: testLogger, logLevel: 'warn' });
}

/** A topic and group no other test (or earlier run) uses. */
export function uniqueNames(name: string): { topic: string; groupId: string } {
  const suffix = `${Date.now()}-${randomUUID().slice(0, 8)}`;
  return { topic: `bus-test.${name}.${suffix}`, groupId: `bus-test.${name}.${suffix}` };
}

export function voicemailChanged(
  id: string,
  email = 'alice@example.com',
): EnvelopeOf<'voicemail-changed'> {
  return {
    id,
    version: 1,
    type: 'voicemail-changed',
    observedAt: 1_700_000_000_123.5,
    correlationId: `corr-${id}`,
    causationId: null,
    payload: {
      ref: { server: 'pbx1', mailbox: '100@default', msgId: `1700000000-${id}` },
      phase: 'change',
      before: { folder: 'new', heard: false },
      after: { folder: 'saved', heard: true },
      notify: { email, kind: 'wav' },
      audio: null,
      meta: { callerId: '"Bob" <200>', origTime: 1_700_000_000, duration: 12 },
      echoOf: null,
    },
  };
}

/** Resolves when `predicate` holds, polling; rejects with `what` after `timeoutMs`. */
export async function waitUntil(
  predicate: () => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function waitUntilAsync(
  predicate: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RawRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Reads every record of `topic` with a plain kafkajs consumer (for DLQ assertions). */
export async function readAll(kafka: Kafka, topic: string, count: number): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value,
          headers: message.headers ?? {},
        });
      },
    });
    await waitUntil(() => records.length >= count, `${count} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Offsets a group has committed on a topic, by partition (-1: nothing committed). */
export async function committedOffsets(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** Messages on a topic (sum of high watermarks; tests' topics are never compacted). */
export async function messageCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}
