import type { EnvelopeType } from '@vmsync/events';
import type { EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import { defaultRetryPolicy, type RetryPolicy } from './backoff.js';
import { createDeadLetterWriter } from './dead-letter.js';
import type { Handler } from './handler.js';
import type { BusHooks } from './hooks.js';
import { handleKeyedBatch } from './keyed-batch.js';
import { type BusLogger, errorFields, silentLogger } from './logger.js';
import { type Outcome, processMessage } from './process-message.js';

export interface ConsumerOptions<T extends EnvelopeType> {
  groupId: string;
  topics: readonly string[];
  handler: Handler<T>;
  /** Envelope types the topics carry; any other type is dead-lettered. Default: all. */
  types?: readonly T[];
  retry?: Partial<RetryPolicy>;
  logger?: BusLogger;
  hooks?: BusHooks;
  /** Where a new group starts; default true, so nothing published before it is missed. */
  fromBeginning?: boolean;
  /** Partitions handled at once (order within each partition is always kept); default 1. */
  partitionsConsumedConcurrently?: number;
  /**
   * Messages of different keys within a partition handled at once (order per key kept,
   * handleKeyedBatch); default 1: the whole partition in order.
   */
  keyConcurrency?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits for data; also bounds how long stop() waits for an idle fetch. */
  maxWaitTimeMs?: number;
  /** kafkajs gave up on the consumer (it does not restart itself): exit and let the supervisor restart. */
  onCrash?(error: Error): void;
}

export interface BusConsumer {
  /** Stops fetching, lets the in-flight handler finish and commit, then disconnects. */
  stop(): Promise<void>;
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/**
 * Consumes `topics` as `groupId`, at least once: an offset is committed (explicitly, with
 * kafkajs's auto-commit off) only after its message was handled or dead-lettered. Resolves
 * once the consumer has joined and runs.
 */
export async function startConsumer<T extends EnvelopeType>(
  kafka: Kafka,
  options: ConsumerOptions<T>,
): Promise<BusConsumer> {
  const logger = options.logger ?? silentLogger;
  const { groupId } = options;
  const retry = { ...defaultRetryPolicy, ...options.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new RangeError('retry.maxAttempts must be a positive integer');
  }

  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeout: options.sessionTimeoutMs }),
    ...(options.heartbeatIntervalMs === undefined
      ? {}
      : { heartbeatInterval: options.heartbeatIntervalMs }),
    ...(options.maxWaitTimeMs === undefined ? {} : { maxWaitTimeInMs: options.maxWaitTimeMs }),
  });
  const deadLetter = createDeadLetterWriter(kafka, groupId, logger);
  const stopping = new AbortController();
  const deps = {
    handler: options.handler,
    types: options.types,
    retry,
    deadLetter,
    logger,
    hooks: options.hooks ?? {},
    stopping: stopping.signal,
  };

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error(
      { groupId, restart: payload.restart, err: errorFields(payload.error) },
      'consumer crashed',
    );
    if (!payload.restart) options.onCrash?.(payload.error);
  });

  // kafkajs's disconnect() does not wait for a running eachMessage (it can leave the group
  // first, and the late commit is then refused), so the bus tracks its own in-flight work.
  const inFlight = new Set<Promise<void>>();
  const handle = async ({ topic, partition, message, heartbeat }: EachMessagePayload) => {
    const at = { topic, partition, offset: message.offset };
    const outcome = await processMessage(deps, at, message, heartbeat);
    if (outcome === 'abandoned') return;
    await consumer.commitOffsets([{ topic, partition, offset: nextOffset(message.offset) }]);
  };

  try {
    await deadLetter.connect();
    await consumer.connect();
    await consumer.subscribe({
      topics: [...options.topics],
      fromBeginning: options.fromBeginning ?? true,
    });
    const track = (work: Promise<void>) => {
      inFlight.add(work);
      const done = () => inFlight.delete(work);
      work.then(done, done);
      return work;
    };
    const keyConcurrency = options.keyConcurrency ?? 1;
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      ...(keyConcurrency > 1
        ? {
            eachBatchAutoResolve: false,
            eachBatch: ({ batch, heartbeat, resolveOffset }: EachBatchPayload) => {
              if (stopping.signal.aborted) return Promise.resolve();
              const { topic, partition } = batch;
              // A rebalance (heartbeat refused) ends the batch: the rest goes to the next owner.
              let revoked = false;
              const one = async (m: KafkaMessage): Promise<Outcome> => {
                if (revoked || stopping.signal.aborted) return 'abandoned';
                const at = { topic, partition, offset: m.offset };
                const outcome = await processMessage(deps, at, m, heartbeat);
                await heartbeat().catch(() => {
                  revoked = true;
                });
                return outcome;
              };
              return track(
                (async () => {
                  // Resolved: the next fetch starts after it (unresolved, kafkajs fetches it
                  // again); committed as the finished run grows, not only at the batch's end.
                  const commit = async (offset: string) => {
                    resolveOffset((BigInt(offset) - 1n).toString());
                    await consumer.commitOffsets([{ topic, partition, offset }]);
                  };
                  await handleKeyedBatch(batch.messages, keyConcurrency, one, commit);
                })(),
              );
            },
          }
        : {
            eachMessage: (payload: EachMessagePayload) => {
              // Once stopping, only messages already in hand may still be committed: handling
              // a later one would commit past an earlier one that was abandoned.
              if (stopping.signal.aborted) return Promise.resolve();
              return track(handle(payload));
            },
          }),
    });
  } catch (error) {
    // Half-started: leave no connection or group membership behind.
    await Promise.allSettled([consumer.disconnect(), deadLetter.disconnect()]);
    throw error;
  }
  logger.info({ groupId, topics: options.topics }, 'consumer started');

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        consumer.pause(options.topics.map((topic) => ({ topic })));
        await Promise.allSettled([...inFlight]);
        await consumer.disconnect();
        await deadLetter.disconnect();
        logger.info({ groupId }, 'consumer stopped');
      })();
      return stopped;
    },
  };
}
