import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumer } from './consumer.js';
import { createPublisher } from './publisher.js';
import {
  brokersFromEnv,
  committedOffsets,
  testKafka,
  testLogger,
  uniqueNames,
  voicemailChanged,
  waitUntil,
  waitUntilAsync,
} from './test-support.js';
import { ensureTopics } from './topics.js';

const kafka = testKafka();
const { topic, groupId } = uniqueNames('crash');
const ids = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
let child: ChildProcess | undefined;

beforeAll(async () => {
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const publisher = createPublisher(kafka);
  await publisher.connect();
  await publisher.publishBatch(
    topic,
    ids.map((id) => ({ key: 'alice@example.com', envelope: voicemailChanged(id) })),
  );
  await publisher.disconnect();
});

afterAll(() => {
  child?.kill('SIGKILL');
});

function startChild(hangAt: string): {
  lines: Array<Record<string, string>>;
  exited: Promise<void>;
} {
  const fixture = fileURLToPath(new URL('./crash-consumer.fixture.ts', import.meta.url));
  child = spawn(
    process.execPath,
    ['--import', 'tsx', fixture, brokersFromEnv().join(','), topic, groupId, hangAt],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: Array<Record<string, string>> = [];
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l)));
  const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
  return { lines, exited };
}

describe('a consumer process that dies mid-message', () => {
  it('leaves that message uncommitted; the next consumer gets it and everything after, in order', async () => {
    const crashed = startChild('m3');
    await waitUntil(
      () => crashed.lines.some((l) => l.hanging === 'm3'),
      'the child to reach m3',
      45_000,
    );
    expect(crashed.lines.filter((l) => l.handled).map((l) => l.handled)).toEqual([
      'm0',
      'm1',
      'm2',
    ]);

    // Committed up to m2 (next offset 3), not m3: its handler has not finished.
    await waitUntilAsync(
      async () => (await committedOffsets(kafka, groupId, topic)).get(0) === '3',
      'offset 3 committed',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await committedOffsets(kafka, groupId, topic)).get(0)).toBe('3');

    child?.kill('SIGKILL');
    await crashed.exited;

    const received: string[] = [];
    const consumer = await startConsumer(kafka, {
      groupId,
      topics: [topic],
      logger: testLogger,
      maxWaitTimeMs: 200,
      handler: async (envelope) => {
        received.push(envelope.id);
      },
    });
    try {
      await waitUntil(() => received.length >= 3, 'm3..m5 after the crash', 45_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(received).toEqual(['m3', 'm4', 'm5']);
    } finally {
      await consumer.stop();
    }
    expect((await committedOffsets(kafka, groupId, topic)).get(0)).toBe('6');
  });
});
