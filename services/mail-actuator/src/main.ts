import { loadConfig } from '@vmsync/config';
import type { EmailState } from '@vmsync/events';
import {
  ImapConnector,
  type ObservedEmail,
  RedisTokenCache,
  ReloadingMailDomains,
} from '@vmsync/imap-mailbox';
import { startServiceBase } from '@vmsync/runtime';
import { IntentLog, ObservationLog, SyncLog } from '@vmsync/store';
import { MailCommandHandler } from './command-handler.js';
import { CommandLedger } from './command-ledger.js';
import { MailActuatorEnv } from './env.js';
import { MailActuatorApp } from './mail-actuator-app.js';
import { MailboxPool } from './mailbox-pool.js';
import { ActuatorMetrics } from './metrics.js';

const env = loadConfig(MailActuatorEnv, process.env);
const base = await startServiceBase('mail-actuator', env);
const { logger, shutdown, store, clock, kafka, topics } = base;
// Adding a domain or rotating a key takes effect without a restart (docs/email-side.md).
const domains = new ReloadingMailDomains(env.VMSYNC_MAIL_DOMAINS_FILE, {
  onReload: (d) => {
    logger.info({ domains: d.domains }, 'mail domains file reloaded');
    pool.unblockAll();
  },
  onError: (e) => logger.error({ code: e.code, err: e.message }, 'mail domains file not reloaded'),
}).start();
shutdown.add('mail domains watch', () => domains.stop());

const pool = new MailboxPool({
  connector: new ImapConnector(domains, {
    login: { ratePerSecond: env.VMSYNC_IMAP_LOGIN_RATE, burst: env.VMSYNC_IMAP_LOGIN_BURST },
    maxConcurrentConnects: env.VMSYNC_IMAP_MAX_CONNECTING,
    keepAliveMs: env.VMSYNC_IMAP_KEEPALIVE_MS,
    ...(env.VMSYNC_SHARE_ACCESS_TOKENS ? { sharedTokens: new RedisTokenCache(store) } : {}),
  }),
  idleCloseMs: env.VMSYNC_ACTUATOR_IDLE_CLOSE_MS,
  workTimeoutMs: env.VMSYNC_COMMAND_TIMEOUT_MS,
  maxConnections: env.VMSYNC_ACTUATOR_MAX_CONNECTIONS,
  adminRetry: {
    initialMs: env.VMSYNC_MAILBOX_ADMIN_RETRY_MIN_MS,
    maxMs: env.VMSYNC_MAILBOX_ADMIN_RETRY_MAX_MS,
  },
});
shutdown.add('imap connections', () => pool.close());

const metrics = new ActuatorMetrics();
const groupId = env.VMSYNC_MAIL_ACTUATOR_GROUP ?? `${env.VMSYNC_DEPLOYMENT}-mail-actuator`;
const app = new MailActuatorApp({
  kafka,
  topics,
  groupId,
  partitions: env.VMSYNC_PARTITIONS,
  sessionTimeoutMs: env.VMSYNC_CONSUMER_SESSION_TIMEOUT_MS,
  keyConcurrency: env.VMSYNC_KEY_CONCURRENCY,
  handler: new MailCommandHandler({
    ledger: new CommandLedger(store, env.VMSYNC_INSTANCE, env.VMSYNC_COMMAND_DEDUPE_TTL_S),
    observations: new ObservationLog<ObservedEmail>(store, 'email'),
    intents: new IntentLog<EmailState>(store, 'email'),
    pool,
    clock,
    logger: logger.child({ component: 'command' }),
    metrics,
    syncs: new SyncLog(store),
  }),
  logger,
  dryRun: env.VMSYNC_DRY_RUN,
  retry: {
    maxAttempts: env.VMSYNC_COMMAND_MAX_ATTEMPTS,
    maxDelayMs: env.VMSYNC_COMMAND_RETRY_MAX_MS,
  },
  hooks: base.metrics.busHooks,
});
const opsPort = await base.serveOps(metrics.registry, () => app.ready());
await app.start();
shutdown.add('consumer', () => app.stop());
base.trackLag(groupId, [topics.mailCommands]);
logger.info({ opsPort, domains: domains.domains }, 'mail-actuator started');
