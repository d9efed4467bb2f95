import {
  type BusConsumer,
  ensureTopics,
  type Kafka,
  type Publisher,
  startConsumer,
} from '@vmsync/bus';
import { VmsyncError } from '@vmsync/errors';
import type { Envelope, TopicNames } from '@vmsync/events';
import type { Logger } from '@vmsync/telemetry';
import type { Routed } from './commands.js';
import type { SyncEngine } from './sync-engine.js';

export interface RulesAppOptions {
  kafka: Kafka;
  publisher: Publisher;
  engine: SyncEngine;
  logger: Logger;
  groupId: string;
  partitions: number;
  topics: TopicNames;
  sessionTimeoutMs: number;
  /** Log the commands that would be published, publish none (VMSYNC_DRY_RUN). */
  dryRun?: boolean;
}

/**
 * Consumes both sides' events, decides, and publishes the commands before the event's
 * offset is committed (at least once; command ids make a replay harmless). Voicemail
 * command topics are per server and created on first use.
 */
export class RulesApp {
  #consumer: BusConsumer | undefined;
  readonly #knownTopics = new Set<string>();

  constructor(private readonly o: RulesAppOptions) {}

  async start(): Promise<void> {
    const { kafka, partitions, logger, topics } = this.o;
    await ensureTopics(
      kafka,
      [topics.voicemailChanged, topics.emailChanged, topics.mailCommands].map((topic) => ({
        topic,
        partitions,
      })),
      { logger },
    );
    this.#knownTopics.add(topics.mailCommands);
    this.#consumer = await startConsumer(kafka, {
      groupId: this.o.groupId,
      topics: [topics.voicemailChanged, topics.emailChanged],
      types: ['voicemail-changed', 'email-changed'],
      handler: (envelope) => this.#handle(envelope),
      // Redis or Kafka down: keep retrying for minutes before giving up on a message.
      retry: { maxAttempts: 30, maxDelayMs: 20_000 },
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

  async #handle(envelope: Envelope): Promise<void> {
    const outcome = await this.o.engine.handle(envelope).catch((error: unknown) => {
      throw new VmsyncError('RULES_STATE_UNAVAILABLE', 'pair store failed', {
        retriable: true,
        cause: error,
      });
    });
    const log = { event: envelope.id, type: envelope.type, outcome: outcome.kind };
    if (outcome.kind === 'refused')
      this.o.logger.warn({ ...log, reason: outcome.reason }, 'refused');
    if (outcome.kind !== 'commands') {
      this.o.logger.debug(log, 'no command');
      return;
    }
    if (!this.o.dryRun) await this.#publish(outcome.commands);
    this.o.logger.info(
      {
        ...log,
        linked: outcome.linked,
        ...(outcome.pair
          ? {
              voicemail: outcome.pair.voicemail,
              email: outcome.pair.email,
              kind: outcome.pair.kind,
            }
          : {}),
        commands: outcome.commands.map(
          (c) =>
            `${c.envelope.type === 'mail-command' || c.envelope.type === 'voicemail-command' ? c.envelope.payload.action : ''} ${c.envelope.id}`,
        ),
      },
      this.o.dryRun ? 'dry run: decided, nothing published' : 'decided',
    );
  }

  async #publish(commands: readonly Routed[]): Promise<void> {
    const byTopic = new Map<string, Routed[]>();
    for (const c of commands) byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), c]);
    for (const [topic, items] of byTopic) {
      if (!this.#knownTopics.has(topic)) {
        await ensureTopics(this.o.kafka, [{ topic, partitions: this.o.partitions }]);
        this.#knownTopics.add(topic);
      }
      await this.o.publisher.publishBatch(topic, items);
    }
  }
}
