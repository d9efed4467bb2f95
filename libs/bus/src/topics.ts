import { type TopicNames, Topics } from '@vmsync/events';
import type { ConfigResourceTypes, Kafka } from 'kafkajs';
import type { BusLogger } from './logger.js';
import { silentLogger } from './logger.js';

export interface TopicSpec {
  topic: string;
  /** From configuration: the unit of parallelism per consumer group. */
  partitions: number;
  /**
   * Topic-level config the topic must have, e.g. `{ 'cleanup.policy': 'compact' }`. Set at
   * creation, and set on an existing topic that differs (whoever created it first).
   */
  config?: Readonly<Record<string, string>>;
  /** Whether a `<topic>.dlq` is created beside it; default true. */
  deadLetter?: boolean;
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
  const configs = new Map<string, Readonly<Record<string, string>>>();
  for (const { topic, partitions, config, deadLetter } of specs) {
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new RangeError(`topic ${topic}: partitions must be a positive integer`);
    }
    wanted.set(topic, partitions);
    if (deadLetter ?? true) wanted.set(Topics.deadLetter(topic), partitions);
    if (config !== undefined && Object.keys(config).length > 0) configs.set(topic, config);
  }

  const admin = kafka.admin();
  await admin.connect();
  const created: string[] = [];
  try {
    // Topics another service created a moment ago may not be known to every broker yet
    // (UNKNOWN_TOPIC_OR_PARTITION from the creation's own wait for leaders, or from the
    // metadata after it): the whole check is made again rather than the start failed.
    return await untilSettled(async () => {
      const existing = new Set(await admin.listTopics());
      const missing = [...wanted].filter(([topic]) => !existing.has(topic));
      if (missing.length > 0) {
        // Returns false (no throw) when another process created them first.
        const made = await admin.createTopics({
          topics: missing.map(([topic, numPartitions]) => ({
            topic,
            numPartitions,
            configEntries: Object.entries(configs.get(topic) ?? {}).map(([name, value]) => ({
              name,
              value,
            })),
          })),
          waitForLeaders: true,
          timeout,
        });
        if (made) {
          created.push(...missing.map(([t]) => t));
          logger.info({ topics: missing.map(([t]) => t) }, 'created topics');
        }
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
      await alignConfigs(admin, configs, logger);
      return { created };
    }, timeout);
  } finally {
    await admin.disconnect();
  }
}

/** Runs `attempt` until it succeeds, again after a retriable Kafka error, for up to `timeoutMs`. */
async function untilSettled<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
    try {
      return await attempt();
    } catch (error) {
      const retriable = (error as { retriable?: unknown }).retriable === true;
      if (!retriable || Date.now() + wait > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * Sets the wanted config on topics that differ (another service may have created the topic
 * without it). Only the named entries are checked; others the topic has set are kept.
 */
// kafkajs's CommonJS export of this enum is invisible to ESM named imports; its value is fixed by the protocol.
const TOPIC = 2 as ConfigResourceTypes;

async function alignConfigs(
  admin: ReturnType<Kafka['admin']>,
  configs: ReadonlyMap<string, Readonly<Record<string, string>>>,
  logger: BusLogger,
): Promise<void> {
  if (configs.size === 0) return;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [...configs.keys()].map((name) => ({ type: TOPIC, name })),
  });
  for (const resource of described.resources) {
    const want = configs.get(resource.resourceName);
    if (want === undefined) continue;
    const differs = Object.entries(want).filter(
      ([name, value]) =>
        resource.configEntries.find((e) => e.configName === name)?.configValue !== value,
    );
    if (differs.length === 0) continue;
    // alterConfigs replaces the topic's dynamic config: carry over what was set on purpose.
    const kept = resource.configEntries
      .filter((e) => !e.isDefault && !e.readOnly && !(e.configName in want))
      .map((e) => ({ name: e.configName, value: e.configValue }));
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: TOPIC,
          name: resource.resourceName,
          configEntries: [
            ...kept,
            ...Object.entries(want).map(([name, value]) => ({ name, value })),
          ],
        },
      ],
    });
    logger.warn(
      { topic: resource.resourceName, set: Object.fromEntries(differs) },
      'topic config differed from the configured one; set',
    );
  }
}

/**
 * The `mailboxes` topic (DESIGN.md §6): one record per synchronized mailbox, keyed by its
 * address, compacted so it holds the current set; its partitions are the email-watchers'
 * shards. No dead-letter topic: nobody handles its records one by one. Declared by the
 * voicemail-watchers, read by the email-watchers: both ensure it the same way.
 */
export function mailboxesTopicSpec(topics: TopicNames, partitions: number): TopicSpec {
  return {
    topic: topics.mailboxes,
    partitions,
    config: { 'cleanup.policy': 'compact' },
    deadLetter: false,
  };
}
