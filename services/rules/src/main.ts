import { createPublisher } from '@vmsync/bus';
import { loadConfig } from '@vmsync/config';
import { startServiceBase } from '@vmsync/runtime';
import { RulesEnv } from './env.js';
import { RulesMetrics } from './metrics.js';
import { PairStore } from './pair-store.js';
import { RulesApp } from './rules-app.js';
import { DeletionGuard } from './safety/deletion-guard.js';
import { FuseStore } from './safety/fuse-store.js';
import { SyncEngine } from './sync-engine.js';

const env = loadConfig(RulesEnv, process.env);
const base = await startServiceBase('rules', env);
const { logger, shutdown, store, kafka, topics, serveOps } = base;

const publisher = createPublisher(kafka, { logger, hooks: base.metrics.busHooks });
await publisher.connect();
shutdown.add('publisher', () => publisher.disconnect());

const metrics = new RulesMetrics();
const guard = new DeletionGuard({
  policy: {
    maxShare: env.VMSYNC_FUSE_MAX_SHARE,
    minDeletions: env.VMSYNC_FUSE_MIN_DELETIONS,
    vanished: env.VMSYNC_FUSE_VANISHED,
  },
  store: new FuseStore(store, env.VMSYNC_FUSE_WINDOW_S, env.VMSYNC_FUSE_HOLD_S),
  logger: logger.child({ component: 'fuse' }),
  refusedTotal: metrics.deletionsRefused,
  now: () => Date.now(),
});
const engine = new SyncEngine(
  new PairStore(store),
  { senders: env.VMSYNC_PBX_SENDERS, refSecret: env.VMSYNC_REF_SECRET.reveal() },
  topics,
  guard,
);
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
  hooks: base.metrics.busHooks,
  metrics,
  dryRun: env.VMSYNC_DRY_RUN,
});
let ready = false;
const opsPort = await serveOps(metrics.registry, () => ready || 'starting');
await app.start();
shutdown.add('consumer', () => app.stop());
base.trackLag(groupId, [topics.voicemailChanged, topics.emailChanged]);
ready = true;
logger.info({ opsPort, dryRun: env.VMSYNC_DRY_RUN }, 'rules service started');
