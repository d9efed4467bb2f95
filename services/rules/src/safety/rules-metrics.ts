import { Counter, Registry } from 'prom-client';

/** The rules service's Prometheus metrics. */
export class RulesMetrics {
  readonly registry = new Registry();
  /** Alert on any increase: a deletion was held back and waits for an operator. */
  readonly deletionsRefused = new Counter({
    name: 'vmsync_rules_deletions_refused_total',
    help: 'Deletions the safety fuse refused, by reason (vanished, share, tripped)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
}
