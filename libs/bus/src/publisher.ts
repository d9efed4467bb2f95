import { type Envelope, parseEnvelope } from '@vmsync/events';
import { type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { Header } from './headers.js';
import { type BusHooks, callHook } from './hooks.js';
import { type BusLogger, silentLogger } from './logger.js';
import { traceHeaders } from './trace.js';

export interface PublishItem {
  /** Partition key: one user's events and commands share it (`userKey`), so stay in order. */
  key: string;
  envelope: Envelope;
}

export interface PublisherOptions {
  logger?: BusLogger;
  hooks?: BusHooks;
}

export interface Publisher {
  connect(): Promise<void>;
  /** Resolves once every in-sync replica has the message; rejects if it could not be written. */
  publish(topic: string, key: string, envelope: Envelope): Promise<void>;
  /** All or nothing for validation: one invalid envelope and none is sent. */
  publishBatch(topic: string, items: readonly PublishItem[]): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * The idempotent producer keeps kafkajs's own retries from duplicating or reordering a
 * batch. kafkajs retries it forever by default; a bounded budget (~1 min) lets a caller
 * see an outage instead of hanging. The caller then retries; consumers are idempotent.
 */
const PRODUCER_RETRY = { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 };

/**
 * Serialises then parses each envelope exactly as a consumer will, so what goes on the
 * bus is known to be readable by every consumer; throws InvalidEnvelopeError otherwise.
 */
function toMessage(item: PublishItem, trace: Record<string, string>): Message {
  const envelope = parseEnvelope(JSON.stringify(item.envelope));
  return {
    key: item.key,
    value: JSON.stringify(envelope),
    headers: { ...trace, [Header.type]: envelope.type, [Header.id]: envelope.id },
  };
}

export function createPublisher(kafka: Kafka, options: PublisherOptions = {}): Publisher {
  const logger = options.logger ?? silentLogger;
  const hooks = options.hooks ?? {};
  // Java's murmur2 partitioner: the same key lands on the same partition as from a Java
  // client. Passing it explicitly also silences kafkajs 2's partitioner warning.
  const producer: Producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: PRODUCER_RETRY,
  });

  async function publishBatch(topic: string, items: readonly PublishItem[]): Promise<void> {
    if (items.length === 0) return;
    const trace = traceHeaders();
    const messages = items.map((item) => toMessage(item, trace));
    const started = performance.now();
    await producer.send({ topic, acks: -1, messages });
    const durationMs = performance.now() - started;
    logger.debug({ topic, count: items.length, ids: items.map((i) => i.envelope.id) }, 'published');
    callHook(logger, 'onPublished', hooks.onPublished, { topic, count: items.length, durationMs });
  }

  return {
    connect: () => producer.connect(),
    publish: (topic, key, envelope) => publishBatch(topic, [{ key, envelope }]),
    publishBatch,
    disconnect: () => producer.disconnect(),
  };
}
