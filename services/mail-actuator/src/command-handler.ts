import { VmsyncError } from '@vmsync/errors';
import { actionPart, type EmailState, type EnvelopeOf } from '@vmsync/events';
import {
  applyMailAction,
  classifyMailboxFailure,
  describeFailure,
  emailKey,
  intendedFields,
  type ObservedEmail,
} from '@vmsync/imap-mailbox';
import type { IntentLog, ObservationLog, SyncLog } from '@vmsync/store';
import type { Logger } from '@vmsync/telemetry';
import type { CommandLedger } from './command-ledger.js';
import type { MailboxPool } from './mailbox-pool.js';
import type { ActuatorMetrics } from './metrics.js';

export type CommandOutcome = 'applied' | 'already' | 'not-found' | 'superseded' | 'duplicate';

export interface MailCommandHandlerDeps {
  ledger: CommandLedger;
  observations: ObservationLog<ObservedEmail>;
  intents: IntentLog<EmailState>;
  pool: MailboxPool;
  clock: { now(): number };
  logger: Logger;
  metrics: ActuatorMetrics;
  /** Recent syncs for operators (CLI status, admin page); best effort. */
  syncs?: SyncLog;
}

/**
 * One mail command, "make it so" (DESIGN.md §1, §3.3): a duplicate is a no-op; a command
 * older than the user's latest change of the same part of its email is refused (newer
 * wins); the intent is recorded before anything changes (so the watcher recognises the
 * echo); the email is found by its stable id. Not found is an outcome, not an error. IMAP
 * and network failures are retriable; a mailbox that needs admin action is not.
 */
export class MailCommandHandler {
  constructor(private readonly d: MailCommandHandlerDeps) {}

  async handle(envelope: EnvelopeOf<'mail-command'>): Promise<CommandOutcome> {
    const { commandId, ref, action } = envelope.payload;
    const log = this.d.logger.child({
      commandId,
      account: ref.account,
      emailId: ref.emailId,
      action,
    });
    const received = performance.now();
    const done = (outcome: CommandOutcome) =>
      this.#done(action, outcome, log, envelope.observedAt, performance.now() - received);
    const claim = await this.#redis(() => this.d.ledger.claim(commandId));
    if (claim === 'done') return done('duplicate');
    if (claim === 'busy') {
      throw new VmsyncError(
        'COMMAND_IN_PROGRESS',
        `command ${commandId} is being applied elsewhere`,
        {
          retriable: true,
        },
      );
    }
    const stopClaim = this.d.ledger.keepClaim(commandId);
    try {
      const part = actionPart(action);
      const seen = await this.d.observations.get(ref.account, ref.emailId);
      const userChangedAt = seen?.userChangedAt[part] ?? 0;
      if (userChangedAt > envelope.observedAt) {
        log.info(
          { part, userChangedAt, commandObservedAt: envelope.observedAt },
          'skipped: the user changed this email after the change that caused the command (newer wins)',
        );
        await this.d.ledger.complete(commandId, 'superseded');
        return done('superseded');
      }
      const started = performance.now();
      const result = await this.d.pool.withSession(ref.account, (session) =>
        applyMailAction(session, ref.emailId, action, (current) =>
          this.d.intents
            .record(emailKey(ref.account, ref.emailId), {
              commandId,
              expect: intendedFields(action),
              at: this.d.clock.now(),
            })
            .then(() => log.debug({ current }, 'intent recorded')),
        ),
      );
      this.d.metrics.applySeconds.observe((performance.now() - started) / 1000);
      await this.d.ledger.complete(commandId, result.kind);
      if (result.kind === 'applied') {
        // After the change was seen to take effect: a look begun later that does not find
        // it means a user undid it (the watcher's missedChange).
        await this.d.intents
          .markApplied(
            ref.account,
            emailKey(ref.account, ref.emailId),
            commandId,
            this.d.clock.now(),
          )
          .catch((error: unknown) =>
            log.warn({ err: describeFailure(error).message }, 'cannot mark the intent applied'),
          );
        this.d.metrics.sync.applied(action, this.d.clock.now() - envelope.observedAt);
        log.debug({ before: result.before, after: result.after }, 'applied');
        // Not awaited: the operators' record must not add to the sync's latency.
        void this.d.syncs
          ?.record({
            at: this.d.clock.now(),
            side: 'email',
            action,
            target: `${ref.account}/${ref.emailId}`,
            user: ref.account,
            latencyMs: Math.round((this.d.clock.now() - envelope.observedAt) * 10) / 10,
          })
          .catch(() => undefined);
      } else if (result.kind === 'not-found') {
        log.warn({}, 'email not found in any folder: nothing to do (not retried)');
      }
      return done(result.kind);
    } catch (error) {
      await this.d.ledger.release(commandId).catch(() => undefined);
      this.d.metrics.sync.command(action, 'failed');
      const kind = classifyMailboxFailure(error);
      this.d.metrics.failures.inc({ kind });
      const { code, message } = describeFailure(error);
      if (kind === 'admin') {
        log.error({ code, err: message }, 'mailbox needs admin action; command not applied');
        throw error;
      }
      log.warn({ kind, code, err: message }, 'command failed; will be retried');
      throw error instanceof VmsyncError && error.retriable
        ? error
        : new VmsyncError('MAIL_ACTION_FAILED', `${action} on ${ref.emailId} failed: ${message}`, {
            retriable: true,
            cause: error,
          });
    } finally {
      stopClaim();
    }
  }

  /** One line per command, the same as the voicemail-actuator's, with vmsync's latency. */
  #done(
    action: string,
    outcome: CommandOutcome,
    log: Logger,
    observedAt: number,
    applyMs: number,
  ): CommandOutcome {
    this.d.metrics.sync.command(action, outcome);
    const latencyMs = Math.round((this.d.clock.now() - observedAt) * 10) / 10;
    log.info(
      { outcome, latencyMs, applyMs: Math.round(applyMs * 100) / 100 },
      'command carried out',
    );
    return outcome;
  }

  async #redis<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw new VmsyncError('ACTUATOR_STATE_UNAVAILABLE', 'Redis failed', {
        retriable: true,
        cause: error,
      });
    }
  }
}
