import { createPublisher } from '@vmsync/bus';
import { loadConfig } from '@vmsync/config';
import type { EmailState } from '@vmsync/events';
import {
  ImapConnector,
  MailboxStatusStore,
  type ObservedEmail,
  RedisFolderSyncStore,
  RedisTokenCache,
  ReloadingMailDomains,
} from '@vmsync/imap-mailbox';
import { startServiceBase } from '@vmsync/runtime';
import { IntentLog, ObservationLog } from '@vmsync/store';
import { ChangePublisher } from './change-publisher.js';
import { EmailWatcherApp } from './email-watcher-app.js';
import { EmailWatcherEnv } from './env.js';
import { WatcherMetrics } from './metrics.js';
import { WatchLease } from './watch-lease.js';

const env = loadConfig(EmailWatcherEnv, process.env);
const base = await startServiceBase('email-watcher', env);
const { logger, shutdown, store, clock, kafka, topics } = base;
// Set once the app exists: mailboxes of a newly added domain are then watched.
let onDomainsChanged = () => {};
// Adding a domain or rotating a key takes effect without a restart (docs/email-side.md).
const domains = new ReloadingMailDomains(env.VMSYNC_MAIL_DOMAINS_FILE, {
  onReload: (d) => {
    logger.info({ domains: d.domains }, 'mail domains file reloaded');
    onDomainsChanged();
  },
  onError: (e) => logger.error({ code: e.code, err: e.message }, 'mail domains file not reloaded'),
}).start();
shutdown.add('mail domains watch', () => domains.stop());

const publisher = createPublisher(kafka, { logger, hooks: base.metrics.busHooks });
await publisher.connect();
shutdown.add('publisher', () => publisher.disconnect());

const metrics = new WatcherMetrics();
const observations = new ObservationLog<ObservedEmail>(store, 'email');
const app: EmailWatcherApp = new EmailWatcherApp({
  kafka,
  topics,
  groupId: env.VMSYNC_EMAIL_WATCHER_GROUP ?? `${env.VMSYNC_DEPLOYMENT}-email-watcher`,
  partitions: env.VMSYNC_PARTITIONS,
  sessionTimeoutMs: env.VMSYNC_CONSUMER_SESSION_TIMEOUT_MS,
  logger,
  watch: {
    connector: new ImapConnector(domains, {
      login: { ratePerSecond: env.VMSYNC_IMAP_LOGIN_RATE, burst: env.VMSYNC_IMAP_LOGIN_BURST },
      maxConcurrentConnects: env.VMSYNC_IMAP_MAX_CONNECTING,
      keepAliveMs: env.VMSYNC_IMAP_KEEPALIVE_MS,
      ...(env.VMSYNC_SHARE_ACCESS_TOKENS ? { sharedTokens: new RedisTokenCache(store) } : {}),
      idleRenewMs: env.VMSYNC_IMAP_IDLE_RENEW_MS,
    }),
    lease: new WatchLease(store, env.VMSYNC_INSTANCE, env.VMSYNC_WATCH_LEASE_MS),
    statuses: new MailboxStatusStore(store),
    changes: new ChangePublisher({
      publisher,
      topics,
      observations,
      intents: new IntentLog<EmailState>(store, 'email'),
      clock,
      onPublished: (account, change, echoOf) => {
        metrics.changes.inc({ phase: change.phase, echo: String(echoOf !== null) });
        if (change.phase === 'change')
          logger.info(
            {
              account,
              emailId: change.emailId,
              before: change.before,
              after: change.after,
              echoOf,
            },
            'email changed',
          );
      },
      shardOf: (account): number | undefined => app.shardOf(account),
    }),
    observations,
    folderStore: new RedisFolderSyncStore(store),
    senders: env.VMSYNC_PBX_SENDERS,
    pollIntervalMs: env.VMSYNC_EMAIL_POLL_INTERVAL_MS,
    idleFollowUpMs: env.VMSYNC_IMAP_IDLE_FOLLOW_UP_MS,
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
    clock,
  },
});
onDomainsChanged = () => app.credentialsChanged();
const opsPort = await base.serveOps(metrics.registry, () => app.ready());
await app.start();
shutdown.add('mailbox watches', () => app.stop());
logger.info(
  { opsPort, instance: env.VMSYNC_INSTANCE, domains: domains.domains },
  'email-watcher started',
);
