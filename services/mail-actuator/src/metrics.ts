import { Counter, Histogram, Registry } from 'prom-client';

/** The mail-actuator's Prometheus metrics. */
export class ActuatorMetrics {
  readonly registry = new Registry();
  readonly commands = new Counter({
    name: 'vmsync_mail_commands_total',
    help: 'Mail commands handled, by action and outcome (applied, already, not-found, superseded, duplicate, failed)',
    labelNames: ['action', 'outcome'],
    registers: [this.registry],
  });
  /** The key metric (DESIGN.md §8): change observed on one side -> other side changed. */
  readonly syncLatency = new Histogram({
    name: 'vmsync_sync_latency_seconds',
    help: 'From the observation of the change that caused a command to its effect on the mailbox',
    labelNames: ['action'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly applySeconds = new Histogram({
    name: 'vmsync_mail_apply_seconds',
    help: 'IMAP time to apply one command (find, change, verify)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
}
