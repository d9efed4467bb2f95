import { createKafka } from '@vmsync/bus';
import { loadConfig } from '@vmsync/config';
import { type EmailState, topicNames } from '@vmsync/events';
import {
  ImapConnector,
  LoginLimiter,
  loadMailDomains,
  type ObservedEmail,
} from '@vmsync/imap-mailbox';
import { Shutdown, startOpsServer } from '@vmsync/runtime';
import { DeploymentClock, IntentLog, ObservationLog, Store } from '@vmsync/store';
import { createLogger, startTelemetry } from '@vmsync/telemetry';
import { MailCommandHandler } from './command-handler.js';
import { CommandLedger } from './command-ledger.js';
import { MailActuatorEnv } from './env.js';
import { MailActuatorApp } from './mail-actuator-app.js';
import { MailboxPool } from './mailbox-pool.js';
import { ActuatorMetrics } from './metrics.js';

const env = loadConfig(MailActuatorEnv, process.env);
const logger = createLogger({ service: 'mail-actuator', level: env.VMSYNC_LOG_LEVEL });
const shutdown = new Shutdown(logger);
shutdown.listen();

const telemetry = startTelemetry({ service: 'vmsync-mail-actuator' });
shutdown.add('telemetry', () => telemetry.shutdown());

const domains = loadMailDomains(env.VMSYNC_MAIL_DOMAINS_FILE);
const store = new Store({
  url: env.VMSYNC_REDIS_URL.reveal(),
  prefix: env.VMSYNC_DEPLOYMENT,
  connectionName: 'mail-actuator',
});
await store.connect();
shutdown.add('redis', () => store.close());
const clock = new DeploymentClock(store.redis);
await clock.start();
shutdown.add('clock', () => clock.stop());

const pool = new MailboxPool({
  connector: new ImapConnector(domains, {
    limiter: new LoginLimiter(env.VMSYNC_IMAP_LOGIN_RATE, env.VMSYNC_IMAP_LOGIN_BURST),
    keepAliveMs: env.VMSYNC_IMAP_KEEPALIVE_MS,
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
const kafka = createKafka({
  brokers: env.VMSYNC_KAFKA_BROKERS,
  clientId: `${env.VMSYNC_KAFKA_CLIENT_ID}-mail-actuator`,
  logger: logger.child({ component: 'kafka' }),
});
const app = new MailActuatorApp({
  kafka,
  topics: topicNames(env.VMSYNC_TOPIC_PREFIX),
  groupId: env.VMSYNC_MAIL_ACTUATOR_GROUP ?? `${env.VMSYNC_DEPLOYMENT}-mail-actuator`,
  partitions: env.VMSYNC_PARTITIONS,
  sessionTimeoutMs: env.VMSYNC_CONSUMER_SESSION_TIMEOUT_MS,
  handler: new MailCommandHandler({
    ledger: new CommandLedger(store, env.VMSYNC_INSTANCE, env.VMSYNC_COMMAND_DEDUPE_TTL_S),
    observations: new ObservationLog<ObservedEmail>(store, 'email'),
    intents: new IntentLog<EmailState>(store, 'email'),
    pool,
    clock,
    logger: logger.child({ component: 'command' }),
    metrics,
  }),
  logger,
  retry: {
    maxAttempts: env.VMSYNC_COMMAND_MAX_ATTEMPTS,
    maxDelayMs: env.VMSYNC_COMMAND_RETRY_MAX_MS,
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
shutdown.add('consumer', () => app.stop());
logger.info({ opsPort: ops.port, domains: domains.domains }, 'mail-actuator started');
