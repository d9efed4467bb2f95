import {
  type BusConsumer,
  type BusHooks,
  ensureTopics,
  type Kafka,
  startConsumer,
} from '@vmsync/bus';
import type { TopicNames } from '@vmsync/events';
import { Attr, inSpan, type Logger, mailboxHash, SpanKind } from '@vmsync/telemetry';
import type { MailCommandHandler } from './command-handler.js';

export interface MailActuatorAppOptions {
  kafka: Kafka;
  topics: TopicNames;
  groupId: string;
  partitions: number;
  sessionTimeoutMs: number;
  /** Users handled at once per partition (VMSYNC_KEY_CONCURRENCY). */
  keyConcurrency?: number;
  handler: MailCommandHandler;
  logger: Logger;
  retry: { maxAttempts: number; maxDelayMs: number };
  hooks?: BusHooks;
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
      // The apply span, a child of the rules' span: the end of the sync's trace.
      handler: (envelope) =>
        inSpan(
          'mail-actuator apply',
          {
            [Attr.direction]: 'voicemail-to-email',
            [Attr.action]: envelope.payload.action,
            [Attr.mailbox]: mailboxHash(envelope.payload.ref.account),
          },
          async (span) => {
            if (this.o.dryRun) {
              const { commandId, ref, action } = envelope.payload;
              logger.info({ commandId, action, ...ref }, 'dry run: would carry out');
              span.setAttribute(Attr.outcome, 'dry-run');
              return;
            }
            span.setAttribute(Attr.outcome, await this.o.handler.handle(envelope));
          },
          SpanKind.CONSUMER,
        ),
      ...(this.o.hooks ? { hooks: this.o.hooks } : {}),
      retry: { ...this.o.retry, initialDelayMs: 500 },
      logger,
      partitionsConsumedConcurrently: partitions,
      ...(this.o.keyConcurrency === undefined ? {} : { keyConcurrency: this.o.keyConcurrency }),
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
