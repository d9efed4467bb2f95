import { AsteriskSpoolStore } from '@vmsync/asterisk-spool';
import { createKafka } from '@vmsync/bus';
import { ConfigError, loadConfig } from '@vmsync/config';
import { topicNames, type VoicemailState } from '@vmsync/events';
import { Shutdown, startOpsServer } from '@vmsync/runtime';
import { DeploymentClock, IntentLog, ObservationLog, Store } from '@vmsync/store';
import { createLogger, startTelemetry } from '@vmsync/telemetry';
import { Registry } from 'prom-client';
import { AmiClient } from './ami-client.js';
import { VoicemailActuatorEnv } from './env.js';
import { VoicemailActuatorApp } from './voicemail-actuator-app.js';

const env = loadConfig(VoicemailActuatorEnv, process.env);
const logger = createLogger({ service: 'voicemail-actuator', level: env.VMSYNC_LOG_LEVEL });
const shutdown = new Shutdown(logger);
shutdown.listen();
const telemetry = startTelemetry({ service: 'vmsync-voicemail-actuator' });
shutdown.add('telemetry', () => telemetry.shutdown());

const ami = env.VMSYNC_AMI_HOST
  ? new AmiClient({
      host: env.VMSYNC_AMI_HOST,
      port: env.VMSYNC_AMI_PORT,
      username: env.VMSYNC_AMI_USERNAME ?? '',
      secret: env.VMSYNC_AMI_SECRET?.reveal() ?? '',
    })
  : null;
if (ami && (!env.VMSYNC_AMI_USERNAME || !env.VMSYNC_AMI_SECRET)) {
  throw new ConfigError(
    'VMSYNC_AMI_HOST is set: VMSYNC_AMI_USERNAME and VMSYNC_AMI_SECRET are needed too',
  );
}

const store = new Store({
  url: env.VMSYNC_REDIS_URL.reveal(),
  prefix: env.VMSYNC_DEPLOYMENT,
  connectionName: 'voicemail-actuator',
});
await store.connect();
shutdown.add('redis', () => store.close());
const clock = new DeploymentClock(store.redis);
await clock.start();
shutdown.add('clock', () => clock.stop());

const kafka = createKafka({
  brokers: env.VMSYNC_KAFKA_BROKERS,
  clientId: `${env.VMSYNC_KAFKA_CLIENT_ID}-voicemail-actuator`,
  logger: logger.child({ component: 'kafka' }),
});
const app = new VoicemailActuatorApp({
  server: env.VMSYNC_SERVER_ID,
  kafka,
  topics: topicNames(env.VMSYNC_TOPIC_PREFIX),
  groupId: `${env.VMSYNC_DEPLOYMENT}-voicemail-actuator-${env.VMSYNC_SERVER_ID}`,
  partitions: env.VMSYNC_PARTITIONS,
  sessionTimeoutMs: env.VMSYNC_CONSUMER_SESSION_TIMEOUT_MS,
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
logger.info({ server: env.VMSYNC_SERVER_ID, opsPort: ops.port }, 'voicemail-actuator started');
