import { SyncMetrics } from '@vmsync/runtime';
import { Counter, Histogram, Registry } from 'prom-client';

/** The mail-actuator's Prometheus metrics. */
export class ActuatorMetrics {
  readonly registry = new Registry();
  /** The key metric (DESIGN.md §8) and the command outcomes, shared with the voicemail side. */
  readonly sync = new SyncMetrics(this.registry, 'voicemail-to-email');
  readonly applySeconds = new Histogram({
    name: 'vmsync_mail_apply_seconds',
    help: 'IMAP time to apply one command (find, change, verify)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'vmsync_mailbox_failures_total',
    help: 'Mailbox connection or command failures, by kind (admin, throttled, auth-refused, transient)',
    labelNames: ['kind'],
    registers: [this.registry],
  });
}
