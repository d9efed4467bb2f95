import { Counter, Registry } from 'prom-client';

/** The voicemail-watcher's own Prometheus metrics (the bus's are common to every service). */
export class VoicemailWatcherMetrics {
  readonly registry = new Registry();
  readonly changes = new Counter({
    name: 'vmsync_voicemail_changes_published_total',
    help: 'voicemail-changed events published, by phase and whether an echo',
    labelNames: ['phase', 'echo'],
    registers: [this.registry],
  });
}
