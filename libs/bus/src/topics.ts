import { Topics } from '@vmsync/events';
import type { Kafka } from 'kafkajs';
import type { BusLogger } from './logger.js';
import { silentLogger } from './logger.js';

export interface TopicSpec {
  topic: string;
  /** From configuration: the unit of parallelism per consumer group. */
  partitions: number;
}

export interface EnsureTopicsOptions {
  logger?: BusLogger;
  /** Give up waiting for new topics' leaders after this long. */
  timeoutMs?: number;
}

/**
 * Creates each topic and its dead-letter topic (same partition count) unless they exist.
 * Safe to run from every service at every start, concurrently: an existing topic is
 * left as it is. A topic with fewer partitions than configured is reported, not grown:
 * adding partitions moves keys, which would break one user's ordering.
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<{ created: string[] }> {
  const logger = options.logger ?? silentLogger;
  const timeout = options.timeoutMs ?? 30_000;
  const wanted = new Map<string, number>();
  for (const { topic, partitions } of specs) {
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new RangeError(`topic ${topic}: partitions must be a positive integer`);
    }
    wanted.set(topic, partitions);
    wanted.set(Topics.deadLetter(topic), partitions);
  }

  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...wanted].filter(([topic]) => !existing.has(topic));
    if (missing.length > 0) {
      // Returns false (no throw) when another process created them first.
      await admin.createTopics({
        topics: missing.map(([topic, numPartitions]) => ({ topic, numPartitions })),
        waitForLeaders: true,
        timeout,
      });
      logger.info({ topics: missing.map(([t]) => t) }, 'created topics');
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [...wanted.keys()] });
    for (const { name, partitions } of metadata.topics) {
      const want = wanted.get(name) ?? 0;
      if (partitions.length < want) {
        logger.warn(
          { topic: name, partitions: partitions.length, configured: want },
          'topic has fewer partitions than configured; not changed (it would move keys)',
        );
      }
    }
    return { created: missing.map(([topic]) => topic) };
  } finally {
    await admin.disconnect();
  }
}
