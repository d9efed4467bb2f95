import type { Kafka } from '@vmsync/bus';
import type { MailboxDeclared } from '@vmsync/events';
import { readMailboxRecord } from '@vmsync/imap-mailbox';
import type { Logger } from '@vmsync/telemetry';
import type { Consumer } from 'kafkajs';
import { stickyAssigner } from './sticky-assigner.js';

export interface MailboxShardsOptions {
  kafka: Kafka;
  /** The compacted mailboxes topic. */
  topic: string;
  groupId: string;
  sessionTimeoutMs: number;
  logger: Logger;
  /**
   * The mailboxes of the partitions this instance holds now (called after every change),
   * and the accounts withdrawn (tombstoned) since the last call.
   */
  onChange(mailboxes: ReadonlyMap<string, MailboxDeclared>, withdrawn: ReadonlySet<string>): void;
  onAssigned?(partitions: readonly number[]): void;
  /** Mailboxes per partition held, after every change (for the per-shard gauge). */
  onShards?(sizes: ReadonlyMap<number, number>): void;
  /** kafkajs gave up on the consumer: exit and let the supervisor restart the process. */
  onCrash(error: Error): void;
}

/**
 * Shards = partitions of the mailboxes topic, handed out by a consumer group (DESIGN.md
 * §6). The group never commits: every assignment reads its partitions from the beginning
 * (the topic is compacted, so that is the current set of mailboxes). A sticky assigner
 * keeps partitions where they are across rebalances (docs/decisions/).
 */
export class MailboxShards {
  readonly #byPartition = new Map<number, Map<string, MailboxDeclared>>();
  #assigned = new Set<number>();
  #consumer: Consumer | undefined;
  #emitTimer: NodeJS.Timeout | undefined;
  #joined = false;
  #withdrawn = new Set<string>();

  constructor(private readonly o: MailboxShardsOptions) {}

  get joined(): boolean {
    return this.#joined;
  }

  async start(): Promise<void> {
    const { kafka, topic, groupId, sessionTimeoutMs, logger } = this.o;
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
      rebalanceTimeout: Math.max(sessionTimeoutMs, 10_000),
      maxWaitTimeInMs: 1_000,
      partitionAssigners: [stickyAssigner(() => ({ [topic]: [...this.#assigned] }))],
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = payload.memberAssignment[topic] ?? [];
      this.#assigned = new Set(partitions);
      for (const p of [...this.#byPartition.keys()]) {
        if (!this.#assigned.has(p)) this.#byPartition.delete(p);
      }
      this.#joined = true;
      logger.info({ groupId, partitions, leader: payload.isLeader }, 'mailbox shards assigned');
      this.o.onAssigned?.(partitions);
      this.#emitSoon();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error(
        { err: payload.error.message, restart: payload.restart },
        'shard consumer crashed',
      );
      if (!payload.restart) this.o.onCrash(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (!this.#assigned.has(partition)) return;
        const record = readMailboxRecord(message.key, message.value);
        if (record === null) {
          logger.warn({ partition, offset: message.offset }, 'unreadable mailboxes record skipped');
          return;
        }
        const mailboxes = this.#byPartition.get(partition) ?? new Map<string, MailboxDeclared>();
        if (record.declared === null) {
          if (mailboxes.delete(record.account)) this.#withdrawn.add(record.account);
        } else {
          mailboxes.set(record.account, record.declared);
          this.#withdrawn.delete(record.account);
        }
        this.#byPartition.set(partition, mailboxes);
        this.#emitSoon();
      },
    });
  }

  /** Gathers a burst of records (a partition read from the start) into one change. */
  #emitSoon(): void {
    if (this.#emitTimer !== undefined) return;
    this.#emitTimer = setTimeout(() => {
      this.#emitTimer = undefined;
      const all = new Map<string, MailboxDeclared>();
      const sizes = new Map<number, number>([...this.#assigned].map((p) => [p, 0]));
      for (const [p, mailboxes] of this.#byPartition) {
        if (!this.#assigned.has(p)) continue;
        sizes.set(p, mailboxes.size);
        for (const [account, declared] of mailboxes) all.set(account, declared);
      }
      this.o.onShards?.(sizes);
      const withdrawn = this.#withdrawn;
      this.#withdrawn = new Set();
      this.o.onChange(all, withdrawn);
    }, 100);
  }

  /** The partition (shard) an account's record is in, when this instance holds it. */
  partitionOf(account: string): number | undefined {
    for (const [p, mailboxes] of this.#byPartition) if (mailboxes.has(account)) return p;
    return undefined;
  }

  async stop(): Promise<void> {
    clearTimeout(this.#emitTimer);
    this.#emitTimer = undefined;
    await this.#consumer?.disconnect();
  }
}
