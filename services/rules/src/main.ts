import { createKafka, createPublisher } from '@vmsync/bus';
import { loadConfig } from '@vmsync/config';
import { topicNames } from '@vmsync/events';
import { Shutdown, startOpsServer } from '@vmsync/runtime';
import { Store } from '@vmsync/store';
import { createLogger, startTelemetry } from '@vmsync/telemetry';
import { Registry } from 'prom-client';
import { RulesEnv } from './env.js';
import { PairStore } from './pair-store.js';
import { RulesApp } from './rules-app.js';
import { SyncEngine } from './sync-engine.js';

const env = loadConfig(RulesEnv, process.env);
const logger = createLogger({ service: 'rules', level: env.VMSYNC_LOG_LEVEL });
const shutdown = new Shutdown(logger);
shutdown.listen();

const telemetry = startTelemetry({ service: 'vmsync-rules' });
shutdown.add('telemetry', () => telemetry.shutdown());

const store = new Store({
  url: env.VMSYNC_REDIS_URL.reveal(),
  prefix: env.VMSYNC_DEPLOYMENT,
  connectionName: 'rules',
});
await store.connect();
shutdown.add('redis', () => store.close());

const kafka = createKafka({
  brokers: env.VMSYNC_KAFKA_BROKERS,
  clientId: `${env.VMSYNC_KAFKA_CLIENT_ID}-rules`,
  logger: logger.child({ component: 'kafka' }),
});
const publisher = createPublisher(kafka, { logger });
await publisher.connect();
shutdown.add('publisher', () => publisher.disconnect());

const topics = topicNames(env.VMSYNC_TOPIC_PREFIX);
const engine = new SyncEngine(
  new PairStore(store),
  { senders: env.VMSYNC_PBX_SENDERS, refSecret: env.VMSYNC_REF_SECRET.reveal() },
  topics,
);
const app = new RulesApp({
  kafka,
  publisher,
  engine,
  logger,
  groupId: env.VMSYNC_RULES_GROUP ?? `${env.VMSYNC_DEPLOYMENT}-rules`,
  partitions: env.VMSYNC_PARTITIONS,
  topics,
  sessionTimeoutMs: env.VMSYNC_CONSUMER_SESSION_TIMEOUT_MS,
});
let ready = false;
const ops = await startOpsServer({
  host: env.VMSYNC_HTTP_HOST,
  port: env.VMSYNC_HTTP_PORT,
  registry: new Registry(),
  ready: () => ready || 'starting',
});
shutdown.add('ops server', () => ops.close());
await app.start();
shutdown.add('consumer', () => app.stop());
ready = true;
logger.info({ opsPort: ops.port }, 'rules service started');
