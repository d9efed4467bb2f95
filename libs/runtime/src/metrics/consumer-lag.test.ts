import type { Kafka } from '@vmsync/bus';
import type { Logger } from '@vmsync/telemetry';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { ConsumerLag, topicLag } from './consumer-lag.js';

const ends = [
  { partition: 0, low: '0', high: '10' },
  { partition: 1, low: '5', high: '8' },
  { partition: 2, low: '0', high: '0' },
];

describe('topicLag', () => {
  it('sums high watermark minus committed offset over partitions', () => {
    expect(
      topicLag(
        ends,
        new Map([
          [0, '7'],
          [1, '8'],
          [2, '0'],
        ]),
      ),
    ).toBe(3);
  });

  it('counts a partition never committed from its low watermark', () => {
    expect(topicLag(ends, new Map([[0, '-1']]))).toBe(10 + 3);
  });

  it('is zero when caught up, never negative', () => {
    expect(
      topicLag(
        ends,
        new Map([
          [0, '10'],
          [1, '9'],
          [2, '0'],
        ]),
      ),
    ).toBe(0);
  });
});

describe('ConsumerLag readiness', () => {
  function fakeKafka(state: { high: string; committed: string; down: boolean }) {
    const admin = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchOffsets: async () => {
        if (state.down) throw new Error('broker unreachable');
        return [{ topic: 't', partitions: [{ partition: 0, offset: state.committed }] }];
      },
      fetchTopicOffsets: async () => [
        { partition: 0, low: '0', high: state.high, offset: state.high },
      ],
    };
    return { admin: () => admin } as unknown as Kafka;
  }
  const silent = { warn: () => undefined } as unknown as Logger;

  it('is ready once caught up, stays ready under load, and not while Kafka is unreachable', async () => {
    const state = { high: '5000', committed: '1000', down: false };
    const registry = new Registry();
    const gauge = new Gauge({
      name: 'lag',
      help: 'h',
      labelNames: ['group', 'topic'],
      registers: [registry],
    });
    const lag = new ConsumerLag({
      kafka: fakeKafka(state),
      groupId: 'g',
      topics: ['t'],
      intervalMs: 60_000,
      maxLag: 100,
      gauge,
      logger: silent,
    });
    expect(lag.ready()).toMatch(/not measured/);
    expect(await lag.measure()).toBe(4000);
    expect(lag.ready()).toMatch(/catching up: 4000 messages behind/);
    expect(await registry.metrics()).toContain('lag{group="g",topic="t"} 4000');
    state.committed = '4950';
    await lag.measure();
    expect(lag.ready()).toBe(true);
    state.high = '90000';
    await lag.measure();
    expect(lag.ready()).toBe(true);
    state.down = true;
    expect(await lag.measure()).toBeUndefined();
    // Unready only once the last good measure is older than 3 intervals.
    expect(lag.ready()).toBe(true);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 4 * 60_000);
    try {
      expect(lag.ready()).toMatch(/cannot measure the consumer lag: broker unreachable/);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
