import { parseMailboxId, type VoicemailStore } from '@vmsync/asterisk-spool';
import {
  type BusConsumer,
  type BusHooks,
  ensureTopics,
  type Kafka,
  startConsumer,
} from '@vmsync/bus';
import { VmsyncError } from '@vmsync/errors';
import { actionPart, type EnvelopeOf, type TopicNames, type VoicemailState } from '@vmsync/events';
import type { DeploymentClock, IntentLog, ObservationLog, Store } from '@vmsync/store';
import { Attr, inSpan, type Logger, mailboxHash, SpanKind } from '@vmsync/telemetry';
import type { AmiClient } from './ami-client.js';
import { targetState } from './target-state.js';

export type CommandOutcome = 'applied' | 'already' | 'not-found' | 'duplicate' | 'superseded';

export interface VoicemailActuatorOptions {
  server: string;
  kafka: Kafka;
  topics: TopicNames;
  groupId: string;
  partitions: number;
  sessionTimeoutMs: number;
  /** Users handled at once per partition (VMSYNC_KEY_CONCURRENCY). */
  keyConcurrency?: number;
  store: VoicemailStore;
  redis: Store;
  observations: ObservationLog<{ folder: string; heard: boolean }>;
  intents: IntentLog<VoicemailState>;
  clock: DeploymentClock;
  ami: AmiClient | null;
  logger: Logger;
  onOutcome?(
    outcome: CommandOutcome | 'failed',
    latencyMs: number,
    envelope: EnvelopeOf<'voicemail-command'>,
  ): void;
  hooks?: BusHooks;
  /** Log each command it would carry out, change nothing (VMSYNC_DRY_RUN). */
  dryRun?: boolean;
}

const DONE_TTL_S = 7 * 24 * 3600;

/**
 * Carries out this voicemail server's commands, each "make it so", at least once and
 * idempotently: a command id is applied once; a command older than the user's latest
 * change of the same part of its target (deletion, heard) is refused (newer wins); the intent is recorded before the
 * change so the watcher knows the echo.
 */
export class VoicemailActuatorApp {
  #consumer: BusConsumer | undefined;

  constructor(private readonly o: VoicemailActuatorOptions) {}

  async start(): Promise<void> {
    const topic = this.o.topics.voicemailCommands(this.o.server);
    await ensureTopics(this.o.kafka, [{ topic, partitions: this.o.partitions }], {
      logger: this.o.logger,
    });
    this.#consumer = await startConsumer(this.o.kafka, {
      groupId: this.o.groupId,
      topics: [topic],
      types: ['voicemail-command'],
      handler: async (envelope) => {
        if (this.o.dryRun) {
          const { commandId, ref, action } = envelope.payload;
          this.o.logger.info({ command: commandId, action, ...ref }, 'dry run: would carry out');
          return;
        }
        await this.#traced(envelope);
      },
      ...(this.o.hooks ? { hooks: this.o.hooks } : {}),
      retry: { maxAttempts: 30, maxDelayMs: 20_000 },
      logger: this.o.logger,
      partitionsConsumedConcurrently: this.o.partitions,
      ...(this.o.keyConcurrency === undefined ? {} : { keyConcurrency: this.o.keyConcurrency }),
      sessionTimeoutMs: this.o.sessionTimeoutMs,
      heartbeatIntervalMs: Math.floor(this.o.sessionTimeoutMs / 10),
      onCrash: (error) => {
        this.o.logger.fatal({ err: error.message }, 'consumer crashed; exiting for a restart');
        process.exit(1);
      },
    });
  }

  async stop(): Promise<void> {
    await this.#consumer?.stop();
    this.o.ami?.close();
  }

  /** The apply span, a child of the rules' span: the end of the sync's trace. */
  #traced(envelope: EnvelopeOf<'voicemail-command'>): Promise<void> {
    const { ref, action } = envelope.payload;
    const attributes = {
      [Attr.direction]: 'email-to-voicemail',
      [Attr.action]: action,
      [Attr.server]: ref.server,
      [Attr.mailbox]: mailboxHash(ref.mailbox),
    };
    return inSpan(
      'voicemail-actuator apply',
      attributes,
      async (span) => {
        try {
          const outcome = await this.handle(envelope);
          span.setAttribute(Attr.outcome, outcome);
          span.setAttribute(Attr.latencyMs, this.o.clock.now() - envelope.observedAt);
        } catch (error) {
          this.o.onOutcome?.('failed', this.o.clock.now() - envelope.observedAt, envelope);
          throw error;
        }
      },
      SpanKind.CONSUMER,
    );
  }

  async handle(envelope: EnvelopeOf<'voicemail-command'>): Promise<CommandOutcome> {
    const { commandId, ref, action } = envelope.payload;
    if (ref.server !== this.o.server) {
      throw new VmsyncError(
        'COMMAND_MISROUTED',
        `command for server ${ref.server} reached ${this.o.server}`,
      );
    }
    const doneKey = this.o.redis.key('done', 'voicemail', commandId);
    const log = { command: commandId, action, mailbox: ref.mailbox, msgId: ref.msgId };
    const started = performance.now();
    const outcome = await this.#apply(envelope, doneKey).catch((error: unknown) => {
      if (error instanceof VmsyncError) throw error;
      throw new VmsyncError('VOICEMAIL_APPLY_FAILED', `applying ${action} failed`, {
        retriable: true,
        cause: error,
      });
    });
    const latencyMs = this.o.clock.now() - envelope.observedAt;
    this.o.onOutcome?.(outcome, latencyMs, envelope);
    const level = outcome === 'not-found' ? 'warn' : 'info';
    const applyMs = Math.round((performance.now() - started) * 100) / 100;
    this.o.logger[level](
      { ...log, outcome, latencyMs: Math.round(latencyMs * 10) / 10, applyMs },
      'command carried out',
    );
    return outcome;
  }

  async #apply(
    envelope: EnvelopeOf<'voicemail-command'>,
    doneKey: string,
  ): Promise<CommandOutcome> {
    const { commandId, ref, action } = envelope.payload;
    const redis = this.o.redis.redis;
    const scope = `${ref.server}/${ref.mailbox}`;
    const [done, last] = await Promise.all([
      redis.exists(doneKey),
      this.o.observations.get(scope, ref.msgId),
    ]);
    if (done === 1) return 'duplicate';
    if (last && last.userChangedAt[actionPart(action)] > envelope.observedAt) {
      await redis.set(doneKey, 'superseded', 'EX', DONE_TTL_S);
      return 'superseded';
    }
    const key = `${scope}/${ref.msgId}`;
    await this.o.intents.record(key, {
      commandId,
      expect: targetState(action),
      at: this.o.clock.now(),
    });
    const result = await this.o.store.apply(ref.mailbox, ref.msgId, action);
    if (result.outcome !== 'applied') await this.o.intents.forget(key, commandId);
    if (result.outcome === 'applied') await this.#refreshLamp(ref.mailbox);
    await redis.set(doneKey, result.outcome, 'EX', DONE_TTL_S);
    return result.outcome;
  }

  /** Best effort: the change is made whatever the lamp does; a failure is logged. */
  async #refreshLamp(mailbox: string): Promise<void> {
    const parsed = parseMailboxId(mailbox);
    if (!this.o.ami || !parsed) return;
    await this.o.ami.voicemailRefresh(parsed.context, parsed.mailbox).catch((error: unknown) => {
      this.o.logger.warn({ mailbox, err: String(error) }, 'message-waiting lamp refresh failed');
    });
  }
}
