import { Counter, Registry } from 'prom-client';

/** The rules service's own Prometheus metrics (the bus's are common to every service). */
export class RulesMetrics {
  readonly registry = new Registry();
  readonly decisions = new Counter({
    name: 'vmsync_rules_decisions_total',
    help: 'Events decided, by type and outcome (commands, echo, waiting, not-synchronized, refused)',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'vmsync_rules_commands_total',
    help: 'Commands the rules published, by direction and action',
    labelNames: ['direction', 'action'],
    registers: [this.registry],
  });
  /** Alert on any increase: a deletion was held back and waits for an operator. */
  readonly deletionsRefused = new Counter({
    name: 'vmsync_rules_deletions_refused_total',
    help: 'Deletions the safety fuse refused, by reason (vanished, share, tripped)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly links = new Counter({
    name: 'vmsync_rules_links_total',
    help: 'Voicemails linked to their notification email',
    registers: [this.registry],
  });
}
