import { createKafka, type Kafka } from '@vmsync/bus';
import { type BusEnv, kafkaSecurity, type OpsEnv, redisConnection } from '@vmsync/config';
import { type TopicNames, topicNames } from '@vmsync/events';
import { DeploymentClock, Store } from '@vmsync/store';
import { createLogger, type Logger, startTelemetry } from '@vmsync/telemetry';
import type { Registry } from 'prom-client';
import { startOpsServer } from './ops-server.js';
import { watchRedisEpoch } from './redis-epoch.js';
import { Shutdown } from './shutdown.js';

/** What every vmsync service starts with, torn down in reverse on SIGTERM. */
export interface ServiceBase {
  logger: Logger;
  shutdown: Shutdown;
  store: Store;
  clock: DeploymentClock;
  kafka: Kafka;
  topics: TopicNames;
  /** Serves /healthz, /readyz, /metrics; resolves with the port. */
  serveOps(registry: Registry, ready: () => true | string): Promise<number>;
}

/**
 * Logger, graceful shutdown, OpenTelemetry, Redis with the deployment's prefix, the
 * deployment clock and the Kafka client: the part of every service's `main.ts` that is
 * the same, so each main shows only what is its own.
 */
export async function startServiceBase(
  service: string,
  env: BusEnv & OpsEnv,
): Promise<ServiceBase> {
  const logger = createLogger({ service, level: env.VMSYNC_LOG_LEVEL });
  const shutdown = new Shutdown(logger);
  shutdown.listen();
  const telemetry = startTelemetry({ service: `vmsync-${service}` });
  shutdown.add('telemetry', () => telemetry.shutdown());

  const store = new Store({
    ...redisConnection(env),
    prefix: env.VMSYNC_DEPLOYMENT,
    connectionName: service,
  });
  await store.connect();
  shutdown.add('redis', () => store.close());
  const stopEpoch = await watchRedisEpoch(store, logger, () => process.exit(1));
  shutdown.add('redis epoch', async () => stopEpoch());
  const clock = new DeploymentClock(store.redis);
  await clock.start();
  shutdown.add('clock', () => clock.stop());

  const kafka = createKafka({
    brokers: env.VMSYNC_KAFKA_BROKERS,
    clientId: `${env.VMSYNC_KAFKA_CLIENT_ID}-${service}`,
    logger: logger.child({ component: 'kafka' }),
    ...kafkaSecurity(env),
  });
  const serveOps = async (registry: Registry, ready: () => true | string) => {
    const ops = await startOpsServer({
      host: env.VMSYNC_HTTP_HOST,
      port: env.VMSYNC_HTTP_PORT,
      registry,
      ready,
    });
    shutdown.add('ops server', () => ops.close());
    return ops.port;
  };
  return {
    logger,
    shutdown,
    store,
    clock,
    kafka,
    topics: topicNames(env.VMSYNC_TOPIC_PREFIX),
    serveOps,
  };
}
