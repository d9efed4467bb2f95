import { type BusConsumer, ensureTopics, type Kafka, startConsumer } from '@vmsync/bus';
import type { TopicNames } from '@vmsync/events';
import type { Logger } from '@vmsync/telemetry';
import type { MailCommandHandler } from './command-handler.js';

export interface MailActuatorAppOptions {
  kafka: Kafka;
  topics: TopicNames;
  groupId: string;
  partitions: number;
  sessionTimeoutMs: number;
  handler: MailCommandHandler;
  logger: Logger;
  retry: { maxAttempts: number; maxDelayMs: number };
  /** Log each command it would carry out, change nothing (VMSYNC_DRY_RUN). */
  dryRun?: boolean;
}

/**
 * Consumes mail-commands (keyed by user, so one mailbox's commands arrive in order on one
 * partition) and applies each; the offset is committed after (at least once).
 */
export class MailActuatorApp {
  #consumer: BusConsumer | undefined;

  constructor(private readonly o: MailActuatorAppOptions) {}

  ready(): true | string {
    return this.#consumer ? true : 'starting';
  }

  async start(): Promise<void> {
    const { kafka, topics, partitions, logger } = this.o;
    await ensureTopics(kafka, [{ topic: topics.mailCommands, partitions }], { logger });
    this.#consumer = await startConsumer(kafka, {
      groupId: this.o.groupId,
      topics: [topics.mailCommands],
      types: ['mail-command'],
      handler: async (envelope) => {
        if (this.o.dryRun) {
          const { commandId, ref, action } = envelope.payload;
          logger.info({ commandId, action, ...ref }, 'dry run: would carry out');
          return;
        }
        await this.o.handler.handle(envelope);
      },
      retry: { ...this.o.retry, initialDelayMs: 500 },
      logger,
      partitionsConsumedConcurrently: partitions,
      sessionTimeoutMs: this.o.sessionTimeoutMs,
      heartbeatIntervalMs: Math.floor(this.o.sessionTimeoutMs / 10),
      onCrash: (error) => {
        logger.fatal({ err: error.message }, 'consumer crashed; exiting for a restart');
        process.exit(1);
      },
    });
  }

  async stop(): Promise<void> {
    await this.#consumer?.stop();
  }
}
