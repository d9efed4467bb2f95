import { AsteriskSpoolStore } from '@vmsync/asterisk-spool';
import { createKafka, createPublisher, ensureTopics, mailboxesTopicSpec } from '@vmsync/bus';
import { loadConfig } from '@vmsync/config';
import { topicNames, type VoicemailState } from '@vmsync/events';
import { Shutdown, startOpsServer } from '@vmsync/runtime';
import { DeploymentClock, IntentLog, ObservationLog, Store } from '@vmsync/store';
import { createLogger, startTelemetry } from '@vmsync/telemetry';
import { Registry } from 'prom-client';
import { VoicemailWatcherEnv } from './env.js';
import { VoicemailWatcherApp } from './voicemail-watcher-app.js';
import type { WatchedMessage } from './watched-message.js';

const env = loadConfig(VoicemailWatcherEnv, process.env);
const logger = createLogger({ service: 'voicemail-watcher', level: env.VMSYNC_LOG_LEVEL });
const shutdown = new Shutdown(logger);
shutdown.listen();
const telemetry = startTelemetry({ service: 'vmsync-voicemail-watcher' });
shutdown.add('telemetry', () => telemetry.shutdown());

const store = new Store({
  url: env.VMSYNC_REDIS_URL.reveal(),
  prefix: env.VMSYNC_DEPLOYMENT,
  connectionName: 'voicemail-watcher',
});
await store.connect();
shutdown.add('redis', () => store.close());
const clock = new DeploymentClock(store.redis);
await clock.start();
shutdown.add('clock', () => clock.stop());

const topics = topicNames(env.VMSYNC_TOPIC_PREFIX);
const kafka = createKafka({
  brokers: env.VMSYNC_KAFKA_BROKERS,
  clientId: `${env.VMSYNC_KAFKA_CLIENT_ID}-voicemail-watcher`,
  logger: logger.child({ component: 'kafka' }),
});
await ensureTopics(
  kafka,
  [
    { topic: topics.voicemailChanged, partitions: env.VMSYNC_PARTITIONS },
    mailboxesTopicSpec(topics, env.VMSYNC_PARTITIONS),
  ],
  { logger },
);
const publisher = createPublisher(kafka, { logger });
await publisher.connect();
shutdown.add('publisher', () => publisher.disconnect());

const app = new VoicemailWatcherApp({
  server: env.VMSYNC_SERVER_ID,
  store: new AsteriskSpoolStore({
    spoolDir: env.VMSYNC_SPOOL_DIR,
    confPath: env.VMSYNC_VOICEMAIL_CONF,
  }),
  publisher,
  topics,
  observations: new ObservationLog<WatchedMessage>(store, 'voicemail'),
  intents: new IntentLog<VoicemailState>(store, 'voicemail'),
  clock,
  logger,
  rescanIntervalMs: env.VMSYNC_RESCAN_INTERVAL_MS,
});
const ops = await startOpsServer({
  host: env.VMSYNC_HTTP_HOST,
  port: env.VMSYNC_HTTP_PORT,
  registry: new Registry(),
  ready: () => app.ready || 'start-up snapshot not published yet',
});
shutdown.add('ops server', () => ops.close());
await app.start();
shutdown.add('watcher', () => app.stop());
logger.info({ server: env.VMSYNC_SERVER_ID, opsPort: ops.port }, 'voicemail-watcher started');
