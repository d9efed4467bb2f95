import { Counter, Histogram, type Registry } from 'prom-client';

/** Which way a sync goes: named by the side the user changed. */
export type Direction = 'voicemail-to-email' | 'email-to-voicemail';

/**
 * The actuators' view of a sync (DESIGN.md §8), one shape for both sides so one dashboard
 * reads both: the key metric, change observed by a watcher -> change applied, and every
 * command's outcome.
 */
export class SyncMetrics {
  readonly #latency: Histogram<'direction' | 'action'>;
  readonly #commands: Counter<'direction' | 'action' | 'outcome'>;

  constructor(
    registry: Registry,
    private readonly direction: Direction,
  ) {
    this.#latency = new Histogram({
      name: 'vmsync_sync_latency_seconds',
      help: 'From the observation of a change by a watcher to its effect applied on the other side',
      labelNames: ['direction', 'action'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.#commands = new Counter({
      name: 'vmsync_commands_total',
      help: 'Commands carried out, by direction, action and outcome (applied, already, not-found, superseded, duplicate, failed)',
      labelNames: ['direction', 'action', 'outcome'],
      registers: [registry],
    });
  }

  /** One command's end; a failed attempt is counted too (it is retried or dead-lettered). */
  command(action: string, outcome: string): void {
    this.#commands.inc({ direction: this.direction, action, outcome });
  }

  /** A change made: `latencyMs` is now - the causing change's observation time. */
  applied(action: string, latencyMs: number): void {
    this.#latency.observe({ direction: this.direction, action }, Math.max(0, latencyMs) / 1000);
  }
}
