import type { BusHooks, Kafka } from '@vmsync/bus';
import type { Logger } from '@vmsync/telemetry';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { busMetrics } from './bus-metrics.js';
import { ConsumerLag } from './consumer-lag.js';

/** What /metrics of a service can show: this registry and the service's own, merged. */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

/**
 * The metrics every service has (process, bus, consumer lag) and the readiness that
 * comes with the lag: ready = connected to Kafka and caught up once since start.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly busHooks: BusHooks;
  readonly #lags: ConsumerLag[] = [];
  readonly #lagGauge: Gauge<'group' | 'topic'>;

  constructor(
    private readonly o: { kafka: Kafka; logger: Logger; intervalMs: number; maxLag: number },
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.busHooks = busMetrics(this.registry);
    this.#lagGauge = new Gauge({
      name: 'vmsync_consumer_lag_messages',
      help: 'Messages a consumer group has still to handle, by topic (high watermark - committed offset)',
      labelNames: ['group', 'topic'],
      registers: [this.registry],
    });
  }

  /** Starts measuring a consumer group's lag; it joins /readyz. */
  trackLag(groupId: string, topics: readonly string[]): ConsumerLag {
    const lag = new ConsumerLag({
      kafka: this.o.kafka,
      groupId,
      topics,
      intervalMs: this.o.intervalMs,
      maxLag: this.o.maxLag,
      gauge: this.#lagGauge,
      logger: this.o.logger,
    });
    lag.start();
    this.#lags.push(lag);
    return lag;
  }

  ready(): true | string {
    for (const lag of this.#lags) {
      const ready = lag.ready();
      if (ready !== true) return ready;
    }
    return true;
  }

  /** This registry with the service's own, read anew on each scrape. */
  with(own: Registry | undefined): MetricsSource {
    const registries = own && own !== this.registry ? [this.registry, own] : [this.registry];
    return {
      contentType: this.registry.contentType,
      metrics: () => Registry.merge(registries).metrics(),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.#lags.map((l) => l.stop()));
  }
}
