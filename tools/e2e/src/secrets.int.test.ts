/**
 * Secrets (issue 8): the whole pipeline runs with a known service-account key and HMAC
 * secret, through normal syncs, a forged notification and a crash; neither secret may
 * appear in any service's output (logs and errors, stdout and stderr) or in any message
 * on any of the deployment's Kafka topics (events, commands, dead letters).
 */
import { readFile } from 'node:fs/promises';
import { createKafka } from '@vmsync/bus';
import { uniqueName } from '@vmsync/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from './world.js';

const world = new World('secrets', 23, 2); // user23: WAV attached; user24: text only

beforeAll(() => world.start(), 180_000);
afterAll(() => world.stop());

/** The secret and the pieces of it a leak would show (a PEM line, the body unwrapped). */
function needles(secret: string): string[] {
  const body = secret
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .map((l) => l.trim());
  return [
    secret,
    body.join(''),
    ...body.filter((l) => l.length >= 40),
    JSON.stringify(secret).slice(1, -1),
  ];
}

async function busText(prefix: string): Promise<{ text: string; messages: number }> {
  const kafka = createKafka({
    brokers: (process.env.VMSYNC_KAFKA_BROKERS ?? '').split(','),
    clientId: 'secrets-test',
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  let expected = 0;
  for (const t of topics) {
    for (const p of await admin.fetchTopicOffsets(t)) expected += Number(p.high) - Number(p.low);
  }
  await admin.disconnect();
  const parts: string[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('secrets-reader') });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const headers = Object.entries(message.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`);
      parts.push(
        `${topic} ${message.key?.toString() ?? ''} ${message.value?.toString() ?? ''} ${headers.join(' ')}`,
      );
    },
  });
  const deadline = Date.now() + 20_000;
  while (parts.length < expected && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return { text: parts.join('\n'), messages: parts.length };
}

describe('secrets never leave their files', () => {
  it('neither the service-account key nor the HMAC secret is in any log line, event, command or error', async () => {
    const key = JSON.parse(await readFile(process.env.VMSYNC_TEST_SA_KEY ?? '', 'utf8')) as {
      private_key: string;
    };
    const hmac = (await readFile(world.ctx.refSecretFile, 'utf8')).trim();
    expect(key.private_key).toContain('PRIVATE KEY');
    expect(hmac.length).toBeGreaterThanOrEqual(32);

    // normal syncs both ways, a forged notification (an error path), a crash and restart
    const p = await world.pair(0);
    await p.mail.markRead(p.messageId);
    await world.settle(p, { folder: 'saved', email: { folder: 'INBOX', seen: true } });
    const forged = await world
      .phone(0)
      .voicemail({ caller: 'X', callerNum: '1', signed: false, notify: false });
    const { PhoneUser } = await import('@vmsync/demo');
    const stranger = new PhoneUser(
      { ...world.ctx, serverEmail: 'asterisk@evil.example' },
      world.phone(0).user,
    );
    await stranger.notify(forged.message, false);
    const killed = world.service('email-watcher');
    killed.kill('SIGKILL');
    await killed.exited();
    await world.startServices(['email-watcher']);
    const q = await world.pair(0);
    await q.phone.act('delete', q.msgId);
    await world.settle(q, { folder: 'deleted', email: { folder: 'Trash', seen: false } });

    const logs = [...killed.lines, ...world.services.flatMap((s) => s.lines)].join('\n');
    const bus = await busText(world.env.VMSYNC_TOPIC_PREFIX ?? '');
    console.log(
      `secrets: scanned ${logs.length} bytes of service output and ${bus.messages} Kafka messages`,
    );
    expect(bus.messages).toBeGreaterThan(10);
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).toContain(world.env.VMSYNC_DEPLOYMENT); // the scan sees what is there
    for (const needle of [...needles(key.private_key), hmac]) {
      expect(logs.includes(needle), 'a secret in the services output').toBe(false);
      expect(bus.text.includes(needle), 'a secret on the bus').toBe(false);
    }
  }, 150_000);
});
