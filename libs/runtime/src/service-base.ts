import { createKafka, type Kafka } from '@vmsync/bus';
import { type BusEnv, kafkaSecurity, type OpsEnv, redisConnection } from '@vmsync/config';
import { type TopicNames, topicNames } from '@vmsync/events';
import { DeploymentClock, Store } from '@vmsync/store';
import { createLogger, type Logger, startTelemetry } from '@vmsync/telemetry';
import type { Registry } from 'prom-client';
import { ServiceMetrics } from './metrics/service-metrics.js';
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
  /** Process, bus and consumer-lag metrics; `metrics.busHooks` go to publishers and consumers. */
  metrics: ServiceMetrics;
  /** Measures a consumer group's lag (metric) and makes /readyz wait until it caught up. */
  trackLag(groupId: string, topics: readonly string[]): void;
  /**
   * Serves /healthz, /readyz (the service's `ready` and every tracked lag), /metrics (the
   * common metrics and the service's `registry`); resolves with the port.
   */
  serveOps(registry: Registry | undefined, ready: () => true | string): Promise<number>;
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
  const metrics = new ServiceMetrics({
    kafka,
    logger: logger.child({ component: 'metrics' }),
    intervalMs: env.VMSYNC_LAG_INTERVAL_MS,
    maxLag: env.VMSYNC_READY_MAX_LAG,
  });
  shutdown.add('lag measures', () => metrics.stop());
  const serveOps = async (registry: Registry | undefined, ready: () => true | string) => {
    const ops = await startOpsServer({
      host: env.VMSYNC_HTTP_HOST,
      port: env.VMSYNC_HTTP_PORT,
      registry: metrics.with(registry),
      ready: () => {
        const own = ready();
        return own === true ? metrics.ready() : own;
      },
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
    metrics,
    trackLag: (groupId, topics) => void metrics.trackLag(groupId, topics),
    serveOps,
  };
}
