import { createPublisher } from '@vmsync/bus';
import { loadConfig } from '@vmsync/config';
import { startServiceBase } from '@vmsync/runtime';
import { RulesEnv } from './env.js';
import { RulesMetrics } from './metrics.js';
import { PairStore } from './pair-store.js';
import { RulesApp } from './rules-app.js';
import { SyncEngine } from './sync-engine.js';

const env = loadConfig(RulesEnv, process.env);
const base = await startServiceBase('rules', env);
const { logger, shutdown, store, kafka, topics, serveOps } = base;

const publisher = createPublisher(kafka, { logger, hooks: base.metrics.busHooks });
await publisher.connect();
shutdown.add('publisher', () => publisher.disconnect());

const engine = new SyncEngine(
  new PairStore(store),
  { senders: env.VMSYNC_PBX_SENDERS, refSecret: env.VMSYNC_REF_SECRET.reveal() },
  topics,
);
const metrics = new RulesMetrics();
const groupId = env.VMSYNC_RULES_GROUP ?? `${env.VMSYNC_DEPLOYMENT}-rules`;
const app = new RulesApp({
  kafka,
  publisher,
  engine,
  logger,
  groupId,
  partitions: env.VMSYNC_PARTITIONS,
  topics,
  sessionTimeoutMs: env.VMSYNC_CONSUMER_SESSION_TIMEOUT_MS,
  keyConcurrency: env.VMSYNC_KEY_CONCURRENCY,
  hooks: base.metrics.busHooks,
  metrics,
});
let ready = false;
const opsPort = await serveOps(metrics.registry, () => ready || 'starting');
await app.start();
shutdown.add('consumer', () => app.stop());
base.trackLag(groupId, [topics.voicemailChanged, topics.emailChanged]);
ready = true;
logger.info({ opsPort }, 'rules service started');
