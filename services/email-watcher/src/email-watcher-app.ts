import { ensureTopics, type Kafka } from '@vmsync/bus';
import type { MailboxDeclared, TopicNames } from '@vmsync/events';
import { mailboxesTopicSpec } from '@vmsync/imap-mailbox';
import type { Logger } from '@vmsync/telemetry';
import { MailboxShards } from './mailbox-shards.js';
import { MailboxWatch, type MailboxWatchDeps } from './mailbox-watch.js';

export interface EmailWatcherAppOptions {
  kafka: Kafka;
  topics: TopicNames;
  groupId: string;
  partitions: number;
  sessionTimeoutMs: number;
  logger: Logger;
  watch: MailboxWatchDeps;
}

/**
 * Watches the mailboxes of the shards (partitions of the mailboxes topic) this instance
 * is assigned: starts a MailboxWatch per mailbox that appears, stops those whose partition
 * went elsewhere or that were withdrawn.
 */
export class EmailWatcherApp {
  readonly #watches = new Map<string, MailboxWatch>();
  readonly #uncredentialed = new Set<string>();
  readonly #shards: MailboxShards;
  #applying: Promise<void> = Promise.resolve();
  #stopped = false;
  #assigned: ReadonlyMap<string, MailboxDeclared> = new Map();

  constructor(private readonly o: EmailWatcherAppOptions) {
    this.#shards = new MailboxShards({
      kafka: o.kafka,
      topic: o.topics.mailboxes,
      groupId: o.groupId,
      sessionTimeoutMs: o.sessionTimeoutMs,
      logger: o.logger,
      onChange: (mailboxes, withdrawn) => {
        this.#assigned = mailboxes;
        this.#applying = this.#applying.then(() => this.#apply(mailboxes, withdrawn));
      },
      onAssigned: (partitions) => o.watch.metrics.assignedPartitions.set(partitions.length),
      onShards: (sizes) => o.watch.metrics.setShards(sizes),
      onCrash: (error) => {
        o.logger.fatal({ err: error.message }, 'shard consumer crashed; exiting for a restart');
        process.exit(1);
      },
    });
  }

  /** Ready once the group has given this instance its shards. */
  ready(): true | string {
    return this.#shards.joined ? true : 'waiting for the mailbox shards';
  }

  shardOf(account: string): number | undefined {
    return this.#shards.partitionOf(account);
  }

  get watching(): string[] {
    return [...this.#watches.keys()];
  }

  async start(): Promise<void> {
    const { kafka, topics, partitions, logger } = this.o;
    await ensureTopics(
      kafka,
      [mailboxesTopicSpec(topics, partitions), { topic: topics.emailChanged, partitions }],
      { logger },
    );
    await this.#shards.start();
  }

  async #apply(
    mailboxes: ReadonlyMap<string, MailboxDeclared>,
    withdrawn: ReadonlySet<string>,
  ): Promise<void> {
    if (this.#stopped) return;
    const { watch: deps, logger } = this.o;
    const leaving = [...this.#watches].filter(
      ([account]) => !mailboxes.has(account) || !deps.connector.handles(account),
    );
    await Promise.all(
      leaving.map(async ([account, w]) => {
        this.#watches.delete(account);
        await w.stop({ withdrawn: withdrawn.has(account) });
      }),
    );
    let started = 0;
    for (const account of mailboxes.keys()) {
      if (this.#watches.has(account)) continue;
      if (!deps.connector.handles(account)) {
        if (!this.#uncredentialed.has(account)) {
          this.#uncredentialed.add(account);
          logger.info({ account }, 'no mail credential for this domain: not synchronized');
          await deps.statuses
            .put({
              account,
              state: 'no-credential',
              code: 'MAILBOX_NO_CREDENTIAL',
              message: `No mail credential for the domain of ${account}: add it to the mail domains file to synchronize this mailbox.`,
              since: Date.now(),
              attempts: 0,
              nextAttemptAt: null,
              instance: deps.instance,
            })
            .catch(() => undefined);
        }
        continue;
      }
      const w = new MailboxWatch(account, deps);
      this.#watches.set(account, w);
      w.start();
      started++;
    }
    if (leaving.length > 0 || started > 0) {
      logger.info(
        { watching: this.#watches.size, started, stopped: leaving.length },
        'mailboxes assigned to this instance changed',
      );
    }
  }

  /**
   * The mail domains or a key file changed (hot reload): mailboxes of a domain just added
   * are watched, those of a domain removed are let go, those waiting for an admin are
   * tried again now. Nothing else is restarted.
   */
  credentialsChanged(): void {
    this.#uncredentialed.clear();
    for (const w of this.#watches.values()) w.retryNow();
    const mailboxes = this.#assigned;
    this.#applying = this.#applying.then(() => this.#apply(mailboxes, new Set()));
  }

  async stop(): Promise<void> {
    await this.#shards.stop();
    this.#stopped = true;
    await this.#applying;
    await Promise.all([...this.#watches.values()].map((w) => w.stop()));
    this.#watches.clear();
  }
}
