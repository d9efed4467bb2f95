import { AsteriskSpoolStore } from '@vmsync/asterisk-spool';
import { ConfigError, loadConfig } from '@vmsync/config';
import type { VoicemailState } from '@vmsync/events';
import { SyncMetrics, startServiceBase } from '@vmsync/runtime';
import { IntentLog, ObservationLog, SyncLog } from '@vmsync/store';
import { Registry } from 'prom-client';
import { AmiClient } from './ami-client.js';
import { VoicemailActuatorEnv } from './env.js';
import { VoicemailActuatorApp } from './voicemail-actuator-app.js';

const env = loadConfig(VoicemailActuatorEnv, process.env);
if (env.VMSYNC_AMI_HOST && (!env.VMSYNC_AMI_USERNAME || !env.VMSYNC_AMI_SECRET)) {
  throw new ConfigError(
    'VMSYNC_AMI_HOST is set: VMSYNC_AMI_USERNAME and VMSYNC_AMI_SECRET are needed too',
  );
}
const base = await startServiceBase('voicemail-actuator', env);
const { logger, shutdown, store, clock, kafka, topics } = base;

const ami = env.VMSYNC_AMI_HOST
  ? new AmiClient({
      host: env.VMSYNC_AMI_HOST,
      port: env.VMSYNC_AMI_PORT,
      username: env.VMSYNC_AMI_USERNAME ?? '',
      secret: env.VMSYNC_AMI_SECRET?.reveal() ?? '',
    })
  : null;
const registry = new Registry();
const sync = new SyncMetrics(registry, 'email-to-voicemail');
const groupId = `${env.VMSYNC_DEPLOYMENT}-voicemail-actuator-${env.VMSYNC_SERVER_ID}`;
const syncs = new SyncLog(store);
const app = new VoicemailActuatorApp({
  server: env.VMSYNC_SERVER_ID,
  kafka,
  topics,
  groupId,
  partitions: env.VMSYNC_PARTITIONS,
  sessionTimeoutMs: env.VMSYNC_CONSUMER_SESSION_TIMEOUT_MS,
  keyConcurrency: env.VMSYNC_KEY_CONCURRENCY,
  store: new AsteriskSpoolStore({
    spoolDir: env.VMSYNC_SPOOL_DIR,
    confPath: env.VMSYNC_VOICEMAIL_CONF,
  }),
  redis: store,
  observations: new ObservationLog(store, 'voicemail'),
  intents: new IntentLog<VoicemailState>(store, 'voicemail'),
  clock,
  ami,
  logger,
  hooks: base.metrics.busHooks,
  onOutcome: (outcome, latencyMs, { payload: { ref, action } }) => {
    sync.command(action, outcome);
    if (outcome !== 'applied') return;
    sync.applied(action, latencyMs);
    void syncs
      .record({
        at: clock.now(),
        side: 'voicemail',
        action,
        target: `${ref.server}/${ref.mailbox}/${ref.msgId}`,
        user: null,
        latencyMs: Math.round(latencyMs * 10) / 10,
      })
      .catch(() => undefined);
  },
  dryRun: env.VMSYNC_DRY_RUN,
});
let ready = false;
const opsPort = await base.serveOps(registry, () => ready || 'starting');
await app.start();
shutdown.add('consumer', () => app.stop());
base.trackLag(groupId, [topics.voicemailCommands(env.VMSYNC_SERVER_ID)]);
ready = true;
logger.info({ server: env.VMSYNC_SERVER_ID, opsPort }, 'voicemail-actuator started');
