import { VmsyncError } from '@vmsync/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BusConsumer, startConsumer } from './consumer.js';
import { Header, headerValue } from './headers.js';
import type { HandledEvent, RetryEvent } from './hooks.js';
import { createPublisher, type Publisher } from './publisher.js';
import {
  committedOffsets,
  messageCount,
  readAll,
  testKafka,
  testLogger,
  uniqueNames,
  voicemailChanged,
  waitUntil,
  waitUntilAsync,
} from './test-support.js';
import { ensureTopics } from './topics.js';

const kafka = testKafka();
const { topic, groupId } = uniqueNames('retry');
const key = 'dave@example.com';
let publisher: Publisher;
let consumer: BusConsumer | undefined;

const calls = new Map<string, number>();
const done: string[] = [];
const retries: RetryEvent[] = [];
const handledEvents: HandledEvent[] = [];

/** What each message's handler does, by envelope id. */
const behaviour: Record<string, (call: number) => void> = {
  flaky: (call) => {
    if (call <= 3)
      throw new VmsyncError('IMAP_UNAVAILABLE', 'mailbox not reachable', { retriable: true });
  },
  rejected: () => {
    throw new VmsyncError('LINK_FORGED', 'signature mismatch');
  },
  hopeless: () => {
    throw new VmsyncError('IMAP_UNAVAILABLE', 'still down', { retriable: true });
  },
  fine: () => {},
};

beforeAll(async () => {
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  publisher = createPublisher(kafka);
  await publisher.connect();
  consumer = await startConsumer(kafka, {
    groupId,
    topics: [topic],
    logger: testLogger,
    maxWaitTimeMs: 200,
    retry: { maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 200 },
    hooks: { onRetry: (e) => retries.push(e), onHandled: (e) => handledEvents.push(e) },
    handler: async (envelope) => {
      const call = (calls.get(envelope.id) ?? 0) + 1;
      calls.set(envelope.id, call);
      behaviour[envelope.id]?.(call);
      done.push(envelope.id);
    },
  });
});

afterAll(async () => {
  await consumer?.stop();
  await publisher?.disconnect();
});

describe('handler failures', () => {
  it('retries a retriable error in place and handles the message once', async () => {
    await publisher.publish(topic, key, voicemailChanged('flaky', key));
    await waitUntil(() => done.includes('flaky'), 'flaky handled');
    expect(calls.get('flaky')).toBe(4);
    expect(done.filter((id) => id === 'flaky')).toHaveLength(1);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(handledEvents).toMatchObject([{ type: 'voicemail-changed', attempts: 4, offset: '0' }]);
    expect(await messageCount(kafka, `${topic}.dlq`)).toBe(0);
  });

  it('dead-letters a non-retriable error at once and an exhausted one after maxAttempts', async () => {
    await publisher.publishBatch(
      topic,
      ['rejected', 'hopeless', 'fine'].map((id) => ({ key, envelope: voicemailChanged(id, key) })),
    );
    await waitUntil(() => done.includes('fine'), 'the message after the failures');
    expect(calls.get('rejected')).toBe(1);
    expect(calls.get('hopeless')).toBe(5);

    const dead = await readAll(kafka, `${topic}.dlq`, 2);
    const summary = dead.map((r) => ({
      id: JSON.parse(r.value?.toString() ?? '{}').id,
      code: headerValue(r.headers, Header.dlqErrorCode),
      message: headerValue(r.headers, Header.dlqErrorMessage),
      attempts: headerValue(r.headers, Header.dlqAttempts),
      offset: headerValue(r.headers, Header.dlqOffset),
      type: headerValue(r.headers, Header.type),
    }));
    expect(summary).toEqual([
      {
        id: 'rejected',
        code: 'LINK_FORGED',
        message: 'signature mismatch',
        attempts: '1',
        offset: '1',
        type: 'voicemail-changed',
      },
      {
        id: 'hopeless',
        code: 'IMAP_UNAVAILABLE',
        message: 'still down',
        attempts: '5',
        offset: '2',
        type: 'voicemail-changed',
      },
    ]);
    await waitUntilAsync(
      async () => (await committedOffsets(kafka, groupId, topic)).get(0) === '4',
      'offset 4 committed',
    );
  });
});
