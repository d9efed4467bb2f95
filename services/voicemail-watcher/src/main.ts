import { AsteriskSpoolStore } from '@vmsync/asterisk-spool';
import { createPublisher, ensureTopics, mailboxesTopicSpec } from '@vmsync/bus';
import { loadConfig } from '@vmsync/config';
import type { VoicemailState } from '@vmsync/events';
import { startServiceBase } from '@vmsync/runtime';
import { IntentLog, ObservationLog } from '@vmsync/store';
import { VoicemailWatcherEnv } from './env.js';
import { VoicemailWatcherMetrics } from './metrics.js';
import { VoicemailWatcherApp } from './voicemail-watcher-app.js';
import type { WatchedMessage } from './watched-message.js';

const env = loadConfig(VoicemailWatcherEnv, process.env);
const base = await startServiceBase('voicemail-watcher', env);
const { logger, shutdown, store, clock, kafka, topics } = base;

await ensureTopics(
  kafka,
  [
    { topic: topics.voicemailChanged, partitions: env.VMSYNC_PARTITIONS },
    mailboxesTopicSpec(topics, env.VMSYNC_PARTITIONS),
  ],
  { logger },
);
const publisher = createPublisher(kafka, { logger, hooks: base.metrics.busHooks });
await publisher.connect();
shutdown.add('publisher', () => publisher.disconnect());

const metrics = new VoicemailWatcherMetrics();
const app = new VoicemailWatcherApp({
  server: env.VMSYNC_SERVER_ID,
  store: new AsteriskSpoolStore({
    spoolDir: env.VMSYNC_SPOOL_DIR,
    confPath: env.VMSYNC_VOICEMAIL_CONF,
    // Each mailbox scanned again once an interval, spread over it (lost events, lost watches).
    watcher: { rescanIntervalMs: env.VMSYNC_RESCAN_INTERVAL_MS },
  }),
  publisher,
  topics,
  observations: new ObservationLog<WatchedMessage>(store, 'voicemail'),
  intents: new IntentLog<VoicemailState>(store, 'voicemail'),
  clock,
  logger,
  rescanIntervalMs: env.VMSYNC_RESCAN_INTERVAL_MS,
  onPublished: (_t, phase, echo) => metrics.changes.inc({ phase, echo: String(echo) }),
});
const opsPort = await base.serveOps(
  metrics.registry,
  () => app.ready || 'start-up snapshot not published yet',
);
await app.start();
shutdown.add('watcher', () => app.stop());
logger.info({ server: env.VMSYNC_SERVER_ID, opsPort }, 'voicemail-watcher started');
