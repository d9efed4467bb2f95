import { createKafka, createPublisher } from '@vmsync/bus';
import { loadConfig } from '@vmsync/config';
import { type EmailState, topicNames } from '@vmsync/events';
import {
  ImapConnector,
  LoginLimiter,
  loadMailDomains,
  MailboxStatusStore,
  type ObservedEmail,
  RedisFolderSyncStore,
} from '@vmsync/imap-mailbox';
import { Shutdown, startOpsServer } from '@vmsync/runtime';
import { DeploymentClock, IntentLog, ObservationLog, Store } from '@vmsync/store';
import { createLogger, startTelemetry } from '@vmsync/telemetry';
import { ChangePublisher } from './change-publisher.js';
import { EmailWatcherApp } from './email-watcher-app.js';
import { EmailWatcherEnv } from './env.js';
import { WatcherMetrics } from './metrics.js';
import { WatchLease } from './watch-lease.js';

const env = loadConfig(EmailWatcherEnv, process.env);
const logger = createLogger({ service: 'email-watcher', level: env.VMSYNC_LOG_LEVEL });
const shutdown = new Shutdown(logger);
shutdown.listen();

const telemetry = startTelemetry({ service: 'vmsync-email-watcher' });
shutdown.add('telemetry', () => telemetry.shutdown());

const domains = loadMailDomains(env.VMSYNC_MAIL_DOMAINS_FILE);
const store = new Store({
  url: env.VMSYNC_REDIS_URL.reveal(),
  prefix: env.VMSYNC_DEPLOYMENT,
  connectionName: 'email-watcher',
});
await store.connect();
shutdown.add('redis', () => store.close());
const clock = new DeploymentClock(store.redis);
await clock.start();
shutdown.add('clock', () => clock.stop());

const kafka = createKafka({
  brokers: env.VMSYNC_KAFKA_BROKERS,
  clientId: `${env.VMSYNC_KAFKA_CLIENT_ID}-email-watcher`,
  logger: logger.child({ component: 'kafka' }),
});
const publisher = createPublisher(kafka, { logger });
await publisher.connect();
shutdown.add('publisher', () => publisher.disconnect());

const topics = topicNames(env.VMSYNC_TOPIC_PREFIX);
const metrics = new WatcherMetrics();
const observations = new ObservationLog<ObservedEmail>(store, 'email');
const app = new EmailWatcherApp({
  kafka,
  topics,
  groupId: env.VMSYNC_EMAIL_WATCHER_GROUP ?? `${env.VMSYNC_DEPLOYMENT}-email-watcher`,
  partitions: env.VMSYNC_PARTITIONS,
  sessionTimeoutMs: env.VMSYNC_CONSUMER_SESSION_TIMEOUT_MS,
  logger,
  watch: {
    connector: new ImapConnector(domains, {
      limiter: new LoginLimiter(env.VMSYNC_IMAP_LOGIN_RATE, env.VMSYNC_IMAP_LOGIN_BURST),
      keepAliveMs: env.VMSYNC_IMAP_KEEPALIVE_MS,
    }),
    lease: new WatchLease(store, env.VMSYNC_INSTANCE, env.VMSYNC_WATCH_LEASE_MS),
    statuses: new MailboxStatusStore(store),
    changes: new ChangePublisher({
      publisher,
      topics,
      observations,
      intents: new IntentLog<EmailState>(store, 'email'),
      clock,
      onPublished: (change, echoOf) =>
        metrics.changes.inc({ phase: change.phase, echo: String(echoOf !== null) }),
    }),
    observations,
    folderStore: new RedisFolderSyncStore(store),
    senders: env.VMSYNC_PBX_SENDERS,
    pollIntervalMs: env.VMSYNC_EMAIL_POLL_INTERVAL_MS,
    lookTimeoutMs: env.VMSYNC_EMAIL_LOOK_TIMEOUT_MS,
    retry: {
      transient: {
        initialMs: env.VMSYNC_MAILBOX_RETRY_MIN_MS,
        maxMs: env.VMSYNC_MAILBOX_RETRY_MAX_MS,
      },
      throttled: {
        initialMs: env.VMSYNC_MAILBOX_THROTTLE_RETRY_MIN_MS,
        maxMs: env.VMSYNC_MAILBOX_THROTTLE_RETRY_MAX_MS,
      },
      admin: {
        initialMs: env.VMSYNC_MAILBOX_ADMIN_RETRY_MIN_MS,
        maxMs: env.VMSYNC_MAILBOX_ADMIN_RETRY_MAX_MS,
      },
    },
    instance: env.VMSYNC_INSTANCE,
    logger: logger.child({ component: 'mailbox' }),
    metrics,
  },
});
const ops = await startOpsServer({
  host: env.VMSYNC_HTTP_HOST,
  port: env.VMSYNC_HTTP_PORT,
  registry: metrics.registry,
  ready: () => app.ready(),
});
shutdown.add('ops server', () => ops.close());
await app.start();
shutdown.add('mailbox watches', () => app.stop());
logger.info(
  { opsPort: ops.port, instance: env.VMSYNC_INSTANCE, domains: domains.domains },
  'email-watcher started',
);
