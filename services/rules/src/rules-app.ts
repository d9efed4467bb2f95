import {
  type BusConsumer,
  type BusHooks,
  ensureTopics,
  type Kafka,
  type Publisher,
  startConsumer,
} from '@vmsync/bus';
import { VmsyncError } from '@vmsync/errors';
import type { Envelope, TopicNames } from '@vmsync/events';
import { Attr, activeTrace, inSpan, type Logger, SpanKind } from '@vmsync/telemetry';
import type { Routed } from './commands.js';
import type { RulesMetrics } from './metrics.js';
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
  hooks?: BusHooks;
  metrics?: RulesMetrics;
  /** Log the commands that would be published, publish none (VMSYNC_DRY_RUN). */
  dryRun?: boolean;
}

/** The side whose change an event reports: its commands go the other way. */
const direction = (type: string) =>
  type === 'voicemail-changed' ? 'voicemail-to-email' : 'email-to-voicemail';

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
      handler: (envelope) => this.#traced(envelope),
      ...(this.o.hooks ? { hooks: this.o.hooks } : {}),
      // Redis or Kafka down: keep retrying for minutes before giving up on a message.
      retry: { maxAttempts: 30, maxDelayMs: 20_000 },
      logger,
      // Every partition of both topics at once (one message of each at a time, committed
      // before the next: a crash still redelivers at most one per partition). Half of them
      // (one topic's worth) left the rules waiting on Redis and Kafka round trips.
      partitionsConsumedConcurrently: 2 * partitions,
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

  /** One span per event, in the trace of the watcher's observation; commands continue it. */
  #traced(envelope: Envelope): Promise<void> {
    const p =
      envelope.type === 'voicemail-changed' || envelope.type === 'email-changed'
        ? envelope.payload
        : null;
    return inSpan(
      'rules decide',
      {
        [Attr.eventType]: envelope.type,
        [Attr.direction]: direction(envelope.type),
        ...(p ? { [Attr.phase]: p.phase, [Attr.echo]: p.echoOf !== null } : {}),
        ...(p && 'server' in p.ref ? { [Attr.server]: p.ref.server } : {}),
      },
      (span) =>
        this.#handle(envelope, (outcome, actions) => {
          span.setAttribute(Attr.outcome, outcome);
          if (actions.length > 0) span.setAttribute(Attr.action, actions);
        }),
      SpanKind.CONSUMER,
    );
  }

  async #handle(
    envelope: Envelope,
    decided: (outcome: string, actions: string[]) => void = () => undefined,
  ): Promise<void> {
    const outcome = await this.o.engine.handle(envelope).catch((error: unknown) => {
      throw new VmsyncError('RULES_STATE_UNAVAILABLE', 'pair store failed', {
        retriable: true,
        cause: error,
      });
    });
    const log = { event: envelope.id, type: envelope.type, outcome: outcome.kind };
    const actions =
      outcome.kind === 'commands' ? outcome.commands.map((c) => actionOf(c.envelope)) : [];
    decided(outcome.kind, actions);
    this.o.metrics?.decisions.inc({ type: envelope.type, outcome: outcome.kind });
    if (outcome.kind === 'refused')
      this.o.logger.warn({ ...log, reason: outcome.reason }, 'refused');
    if (outcome.kind !== 'commands') {
      this.o.logger.debug(log, 'no command');
      return;
    }
    if (!this.o.dryRun) {
      await this.#publish(outcome.commands);
      for (const { envelope: command } of outcome.commands) {
        // A link can decide either side's command, whichever side the event came from.
        const to = command.type === 'mail-command' ? 'voicemail-to-email' : 'email-to-voicemail';
        this.o.metrics?.commands.inc({ direction: to, action: actionOf(command) });
      }
      if (outcome.linked) this.o.metrics?.links.inc();
    }
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
        commands: outcome.commands.map((c) => `${actionOf(c.envelope)} ${c.envelope.id}`),
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
      // Each command carries the rules' span: the actuator's span continues from it.
      const trace = activeTrace();
      await this.o.publisher.publishBatch(
        topic,
        trace ? items.map((c) => ({ ...c, envelope: { ...c.envelope, trace } })) : items,
      );
    }
  }
}

function actionOf(envelope: Envelope): string {
  return envelope.type === 'mail-command' || envelope.type === 'voicemail-command'
    ? envelope.payload.action
    : '';
}
