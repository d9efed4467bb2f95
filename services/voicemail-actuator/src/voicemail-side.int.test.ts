import { appendFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, createPublisher, ensureTopics, type Publisher } from '@vmsync/bus';
import { type Envelope, parseEnvelope, topicNames } from '@vmsync/events';
import { createSpoolLayout, deposit, listen, type SpoolLayout } from '@vmsync/pbx-sim';
import { ServiceProcess, uniqueName, waitFor } from '@vmsync/testkit';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAsterisk } from './fake-asterisk-ami.js';

const brokers = process.env.VMSYNC_KAFKA_BROKERS;
const redisUrl = process.env.VMSYNC_REDIS_URL;
if (!brokers || !redisUrl) throw new Error('start the stack first: ./vmsync stack up');

const prefix = `${uniqueName('vmside')}.`;
const topics = topicNames(prefix);
const kafka = createKafka({ brokers: brokers.split(','), clientId: 'voicemail-side-test' });

describe('voicemail side: spool watcher and actuator (real Kafka, Redis, spool)', () => {
  let layout: SpoolLayout;
  let publisher: Publisher;
  let reader: Consumer;
  let ami: Awaited<ReturnType<typeof fakeAsterisk>>;
  const seen: Envelope[] = [];
  const services: ServiceProcess[] = [];
  const mailbox = '1001@default';
  const target = () => ({ spoolDir: layout.spoolDir, mailbox: '1001' });
  const events = () =>
    seen.filter(
      (e): e is Extract<Envelope, { type: 'voicemail-changed' }> => e.type === 'voicemail-changed',
    );
  let cmdSeq = 0;
  const command = (
    msgId: string,
    action: 'ensure-heard' | 'ensure-unheard' | 'ensure-deleted' | 'ensure-saved',
    observedAt = Date.now() + 60_000,
  ): Envelope => {
    const id = `cmd-test-${++cmdSeq}-${uniqueName('c')}`;
    return {
      id,
      type: 'voicemail-command',
      version: 1,
      observedAt,
      correlationId: id,
      causationId: null,
      payload: { commandId: id, ref: { server: 'pbx1', mailbox, msgId }, action },
    };
  };
  const actuatorLog = (commandId: string) =>
    waitFor(`the actuator's outcome for ${commandId}`, () =>
      services[1]?.logs().find((l) => l.command === commandId && l.msg === 'command carried out'),
    );

  beforeAll(async () => {
    layout = await createSpoolLayout({
      root: await mkdtemp(join(tmpdir(), 'vmsync-vmside-')),
      users: 2,
      backupDeleted: 10,
    });
    ami = await fakeAsterisk('ami-secret-for-test');
    await ensureTopics(kafka, [
      { topic: topics.voicemailChanged, partitions: 2 },
      { topic: topics.mailboxes, partitions: 2 },
      { topic: topics.voicemailCommands('pbx1'), partitions: 2 },
    ]);
    publisher = createPublisher(kafka);
    await publisher.connect();
    reader = kafka.consumer({ groupId: uniqueName('vmside-reader') });
    await reader.connect();
    await reader.subscribe({
      topics: [topics.voicemailChanged, topics.mailboxes],
      fromBeginning: true,
    });
    await reader.run({
      eachMessage: async ({ message }) => void seen.push(parseEnvelope(message.value)),
    });

    const env = {
      VMSYNC_KAFKA_BROKERS: brokers,
      VMSYNC_REDIS_URL: redisUrl,
      VMSYNC_DEPLOYMENT: uniqueName('vmside').toLowerCase(),
      VMSYNC_TOPIC_PREFIX: prefix,
      VMSYNC_PARTITIONS: '2',
      VMSYNC_SERVER_ID: 'pbx1',
      VMSYNC_SPOOL_DIR: layout.spoolDir,
      VMSYNC_VOICEMAIL_CONF: layout.confPath,
      VMSYNC_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      VMSYNC_RESCAN_INTERVAL_MS: '2000',
      VMSYNC_AMI_HOST: '127.0.0.1',
      VMSYNC_AMI_PORT: String(ami.port),
      VMSYNC_AMI_USERNAME: 'vmsync',
      VMSYNC_AMI_SECRET: 'ami-secret-for-test',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    };
    await deposit({ spoolDir: layout.spoolDir, mailbox: '1001', durationSec: 1 });
    for (const name of ['voicemail-watcher', 'voicemail-actuator']) {
      const service = new ServiceProcess(name, env);
      await service.start();
      services.push(service);
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await reader?.disconnect();
    await publisher?.disconnect();
    ami?.server.close();
  });

  it('declares the synchronized mailboxes and publishes a start-up snapshot', async () => {
    const snapshot = await waitFor('the snapshot', () =>
      events().find((e) => e.payload.phase === 'snapshot'),
    );
    expect(snapshot.payload).toMatchObject({
      ref: { server: 'pbx1', mailbox },
      before: null,
      after: { folder: 'new', heard: false },
      notify: { email: 'user1@example.test', kind: 'wav' },
      echoOf: null,
    });
    expect(snapshot.payload.audio?.size).toBeGreaterThan(8000);
    const declared = seen
      .filter((e) => e.type === 'mailbox-declared')
      .map((e) => e.type === 'mailbox-declared' && e.payload.account);
    expect(declared).toEqual(expect.arrayContaining(['user1@example.test', 'user2@example.test']));
  });

  it('declares a mailbox added to voicemail.conf, and does not declare the others again', async () => {
    const declarations = (account: string) =>
      seen.filter((e) => e.type === 'mailbox-declared' && e.payload.account === account).length;
    await appendFile(
      layout.confPath,
      '\n[default]\n1003 => 4003,Carol,user3@example.test,,attach=yes\n',
    );
    await waitFor('the new mailbox declared', () => declarations('user3@example.test') === 1);
    // Two more intervals (2 s each) re-read the file: nothing new to declare.
    await new Promise((r) => setTimeout(r, 4_500));
    expect(declarations('user3@example.test')).toBe(1);
    expect(declarations('user1@example.test')).toBe(1);
    expect(declarations('user2@example.test')).toBe(1);
  });

  it('publishes a user listening on the phone as new -> saved, quickly', async () => {
    const m = await deposit({ spoolDir: layout.spoolDir, mailbox: '1001', durationSec: 1 });
    await waitFor('the new message', () => events().find((e) => e.payload.ref.msgId === m.msgId));
    const t0 = Date.now();
    await listen(target(), m.msgId);
    const change = await waitFor('the heard change', () =>
      events().find((e) => e.payload.ref.msgId === m.msgId && e.payload.after.folder === 'saved'),
    );
    expect(change.payload).toMatchObject({
      phase: 'change',
      before: { folder: 'new', heard: false },
      after: { folder: 'saved', heard: true },
      echoOf: null,
    });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('applies a command once, refreshes the lamp, and its echo comes back marked', async () => {
    const m = await deposit({ spoolDir: layout.spoolDir, mailbox: '1001', durationSec: 1 });
    await waitFor('the new message', () => events().find((e) => e.payload.ref.msgId === m.msgId));
    const cmd = command(m.msgId, 'ensure-heard');
    await publisher.publish(topics.voicemailCommands('pbx1'), 'user1@example.test', cmd);
    await publisher.publish(topics.voicemailCommands('pbx1'), 'user1@example.test', cmd);
    expect(await actuatorLog(cmd.id)).toMatchObject({ outcome: 'applied' });
    const echo = await waitFor('the echo', () =>
      events().find((e) => e.payload.ref.msgId === m.msgId && e.payload.after.folder === 'saved'),
    );
    expect(echo.payload.echoOf).toBe(cmd.id);
    await waitFor(
      'the duplicate',
      () => (services[1]?.logs().filter((l) => l.command === cmd.id).length ?? 0) >= 2 || undefined,
    );
    expect(
      services[1]
        ?.logs()
        .filter((l) => l.command === cmd.id)
        .map((l) => l.outcome),
    ).toEqual(['applied', 'duplicate']);
    expect(
      ami.actions.some(
        (a) => a.Action === 'VoicemailRefresh' && a.Mailbox === '1001' && a.Context === 'default',
      ),
    ).toBe(true);
    // Asterisk's numbering stays contiguous in both folders
    for (const folder of ['INBOX', 'Old']) {
      const files = (await readdir(join(layout.spoolDir, 'default/1001', folder)).catch(() => []))
        .filter((f) => f.endsWith('.txt'))
        .sort();
      expect(files).toEqual(files.map((_, i) => `msg${String(i).padStart(4, '0')}.txt`));
    }
  });

  it('recognises the echo of every action (deleted, saved, unheard)', async () => {
    const m = await deposit({ spoolDir: layout.spoolDir, mailbox: '1001', durationSec: 1 });
    await waitFor('the new message', () => events().find((e) => e.payload.ref.msgId === m.msgId));
    const seenBefore = () => new Set(events().map((e) => e.id));
    const round = [
      ['ensure-deleted', 'deleted'],
      ['ensure-saved', 'saved'],
      ['ensure-unheard', 'new'],
    ] as const;
    for (const [action, folder] of [...round, ...round, ...round, ...round, ...round]) {
      const cmd = command(m.msgId, action);
      const old = seenBefore();
      await publisher.publish(topics.voicemailCommands('pbx1'), 'user1@example.test', cmd);
      expect(await actuatorLog(cmd.id)).toMatchObject({ outcome: 'applied' });
      const echo = await waitFor(`the echo of ${action}`, () =>
        events().find(
          (e) =>
            !old.has(e.id) && e.payload.ref.msgId === m.msgId && e.payload.after.folder === folder,
        ),
      );
      expect(echo.payload.echoOf, action).toBe(cmd.id);
    }
  });

  it("refuses a command older than the user's latest change (newer wins)", async () => {
    const m = await deposit({ spoolDir: layout.spoolDir, mailbox: '1001', durationSec: 1 });
    await waitFor('the new message', () => events().find((e) => e.payload.ref.msgId === m.msgId));
    const stale = command(m.msgId, 'ensure-unheard', 1);
    await listen(target(), m.msgId);
    await waitFor('the heard change', () =>
      events().find((e) => e.payload.ref.msgId === m.msgId && e.payload.after.folder === 'saved'),
    );
    await publisher.publish(topics.voicemailCommands('pbx1'), 'user1@example.test', stale);
    expect(await actuatorLog(stale.id)).toMatchObject({ outcome: 'superseded' });
  });

  it('never takes an unreadable metadata file for a deletion', async () => {
    const m = await deposit({ spoolDir: layout.spoolDir, mailbox: '1002', durationSec: 1 });
    await waitFor('the new message', () => events().find((e) => e.payload.ref.msgId === m.msgId));
    const txt = join(layout.spoolDir, 'default/1002/INBOX/msg0000.txt');
    await writeFile(txt, ';\n; Message Information file\n;\n[message]\norigmailbox=10');
    await waitFor(
      'the warning',
      () =>
        services[0]
          ?.logs()
          .find((l) => l.msg === 'message unreadable for now; looking again later') ?? undefined,
    );
    await new Promise((r) => setTimeout(r, 300));
    const after = events().filter((e) => e.payload.ref.msgId === m.msgId);
    expect(after.every((e) => e.payload.after.folder === 'new')).toBe(true);
  });
});
