export type { Kafka } from 'kafkajs';
export { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './backoff.js';
export { type BusConsumer, type ConsumerOptions, startConsumer } from './consumer.js';
export type { Handler, MessageContext } from './handler.js';
export { decodeHeaders, Header, headerValue } from './headers.js';
export type {
  BusHooks,
  DeadLetterEvent,
  DeadLetterReason,
  HandledEvent,
  MessagePosition,
  PublishedEvent,
  RetryEvent,
} from './hooks.js';
export { createKafka, type KafkaOptions } from './kafka.js';
export type { KafkaLogLevel } from './kafka-log.js';
export type { BusLogger } from './logger.js';
export {
  createPublisher,
  type Publisher,
  type PublisherOptions,
  type PublishItem,
} from './publisher.js';
export {
  type EnsureTopicsOptions,
  ensureTopics,
  mailboxesTopicSpec,
  type TopicSpec,
} from './topics.js';
export { extractTrace, traceHeaders } from './trace.js';
