import { afterAll, describe, expect, it } from 'vitest';
import { testKafka, uniqueNames } from './test-support.js';
import { ensureTopics } from './topics.js';

const kafka = testKafka('bus-topics-test');
const admin = kafka.admin();

async function config(topic: string, name: string): Promise<string | undefined> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: topic }],
  });
  return resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
}

describe('ensureTopics with topic config', () => {
  afterAll(() => admin.disconnect());

  it('creates a compacted topic, without a dead-letter topic when asked', async () => {
    await admin.connect();
    const { topic } = uniqueNames('compact');
    const spec = {
      topic,
      partitions: 2,
      config: { 'cleanup.policy': 'compact' },
      deadLetter: false,
    };
    expect(await ensureTopics(kafka, [spec])).toEqual({ created: [topic] });
    expect(await config(topic, 'cleanup.policy')).toBe('compact');
    expect(await admin.listTopics()).not.toContain(`${topic}.dlq`);
  });

  it('sets the config on a topic someone else created without it, keeping its own settings', async () => {
    const { topic } = uniqueNames('align');
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
      ],
      waitForLeaders: true,
    });
    await ensureTopics(kafka, [{ topic, partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
    expect(await config(topic, 'cleanup.policy')).toBe('compact');
    expect(await config(topic, 'retention.ms')).toBe('3600000');
  });

  it('lets several services ensure the same new topics at once, every one of them starting', async () => {
    // Five services starting together on a new deployment: all but one find the topics
    // created by another a moment ago, not yet known to the broker they ask.
    for (let round = 0; round < 3; round++) {
      const { topic } = uniqueNames(`race${round}`);
      const spec = { topic, partitions: 3 };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => ensureTopics(kafka, [spec])),
      );
      const creators = results.filter((r) => r.created.length > 0);
      expect(creators.length).toBeGreaterThanOrEqual(1);
      const metadata = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlq`] });
      expect(metadata.topics.map((t) => t.partitions.length)).toEqual([3, 3]);
    }
  });
});
