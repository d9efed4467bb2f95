import { createPublisher } from '@vmsync/bus';
import { loadConfig } from '@vmsync/config';
import { startServiceBase } from '@vmsync/runtime';
import { Registry } from 'prom-client';
import { RulesEnv } from './env.js';
import { PairStore } from './pair-store.js';
import { RulesApp } from './rules-app.js';
import { SyncEngine } from './sync-engine.js';

const env = loadConfig(RulesEnv, process.env);
const { logger, shutdown, store, kafka, topics, serveOps } = await startServiceBase('rules', env);

const publisher = createPublisher(kafka, { logger });
await publisher.connect();
shutdown.add('publisher', () => publisher.disconnect());

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
  keyConcurrency: env.VMSYNC_KEY_CONCURRENCY,
});
let ready = false;
const opsPort = await serveOps(new Registry(), () => ready || 'starting');
await app.start();
shutdown.add('consumer', () => app.stop());
ready = true;
logger.info({ opsPort }, 'rules service started');
