import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AsteriskSpoolStore,
  type KnownAudio,
  type MailboxHint,
  type VoicemailStore,
} from '@vmsync/asterisk-spool';
import type { Publisher } from '@vmsync/bus';
import { type Envelope, topicNames, type VoicemailState } from '@vmsync/events';
import { createSpoolLayout, deposit, listen, type SpoolLayout } from '@vmsync/pbx-sim';
import { DeploymentClock, IntentLog, ObservationLog, Store } from '@vmsync/store';
import { createLogger } from '@vmsync/telemetry';
import { uniqueName } from '@vmsync/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoicemailWatcherApp } from './voicemail-watcher-app.js';
import type { WatchedMessage } from './watched-message.js';

const url = process.env.VMSYNC_REDIS_URL;
if (!url) throw new Error('start the stack first: ./vmsync stack up');

/**
 * The spool store with no file events at all (as if every one were lost); counts reads and
 * keeps the audio digests each read was given.
 */
class DeafStore implements VoicemailStore {
  readonly reads: string[] = [];
  readonly given: KnownAudio[][] = [];
  constructor(private readonly inner: AsteriskSpoolStore) {}
  listMailboxes: VoicemailStore['listMailboxes'] = () => this.inner.listMailboxes();
  listMessages: VoicemailStore['listMessages'] = (mailbox, known = []) => {
    this.reads.push(mailbox);
    this.given.push([...known]);
    return this.inner.listMessages(mailbox, known);
  };
  readMessage: VoicemailStore['readMessage'] = (m, id) => this.inner.readMessage(m, id);
  version = (mailbox: string) => this.inner.version(mailbox);
  apply: VoicemailStore['apply'] = (m, id, action) => this.inner.apply(m, id, action);
  async *watch(signal: AbortSignal): AsyncIterable<MailboxHint> {
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  }
}

describe('voicemail-watcher: rescan and restart (real spool and Redis)', () => {
  const redis = new Store({ url, prefix: uniqueName('rescan-test') });
  const clock = new DeploymentClock(redis.redis);
  let root: string;

  beforeAll(async () => {
    await redis.connect();
    await clock.start();
    root = await mkdtemp(join(tmpdir(), 'vmsync-rescan-'));
  });
  afterAll(async () => {
    clock.stop();
    await redis.close();
    await rm(root, { recursive: true, force: true });
  });

  /** A watcher of `server` on `layout` (a new process: nothing cached but what Redis keeps). */
  function watcher(layout: SpoolLayout, server: string) {
    const store = new DeafStore(
      new AsteriskSpoolStore({
        spoolDir: layout.spoolDir,
        confPath: layout.confPath,
        watcher: { rescanIntervalMs: 0 },
      }),
    );
    const published: Envelope[] = [];
    const publisher: Publisher = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      publish: async (_topic, _key, envelope) => void published.push(envelope),
      publishBatch: async (_topic, items) => void published.push(...items.map((i) => i.envelope)),
    };
    const app = new VoicemailWatcherApp({
      server,
      store,
      publisher,
      topics: topicNames('rescan-test.'),
      observations: new ObservationLog<WatchedMessage>(redis, 'voicemail'),
      intents: new IntentLog<VoicemailState>(redis, 'voicemail'),
      clock,
      logger: createLogger({ service: 'rescan-test', level: 'silent' }),
      rescanIntervalMs: 3_600_000,
    });
    return { app, store, published };
  }

  it('finds a change whose file events were lost, and reads no message of an unchanged mailbox', async () => {
    const layout = await createSpoolLayout({ root: join(root, 'rescan'), users: 1 });
    const m = await deposit({ spoolDir: layout.spoolDir, mailbox: '1001', durationSec: 1 });
    const { app, store, published } = watcher(layout, 'pbx1');
    const changes = () =>
      published.flatMap((e) =>
        e.type === 'voicemail-changed' && e.payload.ref.msgId === m.msgId ? [e.payload] : [],
      );
    await app.start();
    try {
      expect(changes()).toMatchObject([{ phase: 'snapshot', after: { folder: 'new' } }]);
      const mailbox = '1001@default';
      const reads = store.reads.length;

      await app.scan(mailbox, 'rescan');
      expect(store.reads.length, 'an unchanged mailbox is not read again').toBe(reads);

      // The phone user listens; no file event tells the watcher.
      await listen({ spoolDir: layout.spoolDir, mailbox: '1001' }, m.msgId);
      await app.scan(mailbox, 'rescan');
      expect(store.reads.length).toBe(reads + 1);
      expect(changes().at(-1)).toMatchObject({
        phase: 'change',
        before: { folder: 'new', heard: false },
        after: { folder: 'saved', heard: true },
      });

      await app.scan(mailbox, 'rescan');
      expect(store.reads.length).toBe(reads + 1);
      expect(changes()).toHaveLength(2);
    } finally {
      await app.stop();
    }
  });

  it('gives the audio digests it observed back to the store at a restart', async () => {
    const layout = await createSpoolLayout({ root: join(root, 'restart'), users: 1 });
    const m = await deposit({ spoolDir: layout.spoolDir, mailbox: '1001', durationSec: 1 });
    const first = watcher(layout, 'pbx2');
    await first.app.start();
    await first.app.stop();
    expect(first.store.given, 'nothing observed yet').toEqual([[]]);

    const second = watcher(layout, 'pbx2');
    await second.app.start();
    await second.app.stop();
    const [seen] = first.published.flatMap((e) =>
      e.type === 'voicemail-changed' && e.payload.ref.msgId === m.msgId ? [e.payload] : [],
    );
    expect(second.store.given).toEqual([
      [{ file: expect.stringMatching(/^\d+:\d+:/), sha256: seen?.audio?.sha256 }],
    ]);
    expect(second.published.filter((e) => e.type === 'voicemail-changed')).toMatchObject([
      { payload: { phase: 'snapshot', audio: { sha256: seen?.audio?.sha256 } } },
    ]);
  });
});
