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
 * An envelope with its own `trace` (a watcher's observation: one trace per change) is
 * sent in that trace; any other in the publisher's active one.
 */
function toMessage(item: PublishItem, trace: Record<string, string>): Message {
  const envelope = parseEnvelope(JSON.stringify(item.envelope));
  const own = envelope.trace;
  const context = own
    ? {
        [Header.traceparent]: own.traceparent,
        ...(own.tracestate === undefined ? {} : { [Header.tracestate]: own.tracestate }),
      }
    : trace;
  return {
    key: item.key,
    value: JSON.stringify(envelope),
    headers: { ...context, [Header.type]: envelope.type, [Header.id]: envelope.id },
  };
}

interface Pending {
  topic: string;
  messages: Message[];
  ids: string[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Publishes as soon as the producer is idle; what is published while a send is in flight
 * waits and leaves together in the next one. kafkajs's idempotent producer has one
 * request in flight at a time, so sending each batch on its own would queue round trips
 * (a start-up snapshot of 1000 mailboxes spent seconds there); coalescing keeps one
 * event's latency a single round trip and many events' cost a few.
 */
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
  let queue: Pending[] = [];
  let sending = false;

  async function flush(): Promise<void> {
    sending = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const byTopic = new Map<string, Message[]>();
      for (const p of batch) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), ...p.messages]);
      const started = performance.now();
      try {
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
        continue;
      }
      const durationMs = performance.now() - started;
      for (const [topic, messages] of byTopic) {
        callHook(logger, 'onPublished', hooks.onPublished, {
          topic,
          count: messages.length,
          durationMs,
        });
      }
      for (const p of batch) {
        logger.debug({ topic: p.topic, count: p.ids.length, ids: p.ids }, 'published');
        p.resolve();
      }
    }
    sending = false;
  }

  function publishBatch(topic: string, items: readonly PublishItem[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const trace = traceHeaders();
    let messages: Message[];
    try {
      messages = items.map((item) => toMessage(item, trace));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      queue.push({ topic, messages, ids: items.map((i) => i.envelope.id), resolve, reject });
      if (!sending) void flush();
    });
  }

  return {
    connect: () => producer.connect(),
    publish: (topic, key, envelope) => publishBatch(topic, [{ key, envelope }]),
    publishBatch,
    disconnect: () => producer.disconnect(),
  };
}
