import type { MailboxFailureKind, MailboxState } from '@vmsync/imap-mailbox';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The email-watcher's Prometheus metrics. */
export class WatcherMetrics {
  readonly registry = new Registry();
  readonly #states = new Map<string, MailboxState>();
  readonly #mailboxes = new Gauge({
    name: 'vmsync_email_watcher_mailboxes',
    help: 'Mailboxes this instance holds, by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly changes = new Counter({
    name: 'vmsync_email_changes_published_total',
    help: 'email-changed events published, by phase and whether an echo',
    labelNames: ['phase', 'echo'],
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'vmsync_mailbox_failures_total',
    help: 'Mailbox connection or look failures, by kind (admin, throttled, auth-refused, transient)',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly lookSeconds = new Histogram({
    name: 'vmsync_email_look_seconds',
    help: 'Duration of a complete look at a mailbox',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly assignedPartitions = new Gauge({
    name: 'vmsync_email_watcher_partitions',
    help: 'Partitions of the mailboxes topic assigned to this instance',
    registers: [this.registry],
  });

  readonly #shardMailboxes = new Gauge({
    name: 'vmsync_email_watcher_shard_mailboxes',
    help: 'Mailboxes in each shard (partition of the mailboxes topic) this instance holds',
    labelNames: ['shard'],
    registers: [this.registry],
  });

  /** Replaces the per-shard counts: a shard that went elsewhere disappears. */
  setShards(sizes: ReadonlyMap<number, number>): void {
    this.#shardMailboxes.reset();
    for (const [shard, count] of sizes) this.#shardMailboxes.set({ shard: String(shard) }, count);
  }

  setState(account: string, state: MailboxState | null): void {
    const before = this.#states.get(account);
    if (before === state) return;
    if (before !== undefined) this.#mailboxes.dec({ state: before });
    if (state === null) {
      this.#states.delete(account);
    } else {
      this.#states.set(account, state);
      this.#mailboxes.inc({ state });
    }
  }

  failure(kind: MailboxFailureKind): void {
    this.failures.inc({ kind });
  }
}
