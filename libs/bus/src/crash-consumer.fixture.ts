// Child process for crash-redelivery.int.test.ts: consumes as a real service would,
// reports each message on stdout, and hangs forever inside the handler at `hangAt`, so
// the test can SIGKILL it mid-message (a process crash: no stop(), no commit).
import { startConsumer } from './consumer.js';
import { createKafka } from './kafka.js';

const [brokers, topic, groupId, hangAt] = process.argv.slice(2);
if (brokers === undefined || topic === undefined || groupId === undefined || hangAt === undefined) {
  throw new Error('usage: crash-consumer.fixture.ts <brokers> <topic> <groupId> <hangAtId>');
}

const report = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

await startConsumer(
  createKafka({ brokers: brokers.split(','), clientId: 'crash-fixture', logLevel: 'nothing' }),
  {
    groupId,
    topics: [topic],
    // The broker's minimum: the dead member leaves the group 6 s after the kill.
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    maxWaitTimeMs: 200,
    handler: async (envelope, ctx) => {
      if (envelope.id === hangAt) {
        report({ hanging: envelope.id, offset: ctx.offset });
        await new Promise(() => {});
      }
      report({ handled: envelope.id, offset: ctx.offset });
    },
  },
);
report({ started: true });
