import { context } from '@opentelemetry/api';
import { isRetriable } from '@vmsync/errors';
import {
  type Envelope,
  type EnvelopeOf,
  type EnvelopeType,
  InvalidEnvelopeError,
  parseEnvelope,
} from '@vmsync/events';
import type { KafkaMessage } from 'kafkajs';
import { backoffDelay, type RetryPolicy, sleep } from './backoff.js';
import type { DeadLetterWriter } from './dead-letter.js';
import type { Handler } from './handler.js';
import { type BusHooks, callHook, type DeadLetterReason, type MessagePosition } from './hooks.js';
import { type BusLogger, errorFields } from './logger.js';
import { extractTrace } from './trace.js';

/** `abandoned`: the consumer is stopping; leave the offset uncommitted for the next owner. */
export type Outcome = 'handled' | 'dead-lettered' | 'abandoned';

export interface ProcessDeps<T extends EnvelopeType> {
  handler: Handler<T>;
  types: readonly T[] | undefined;
  retry: RetryPolicy;
  deadLetter: DeadLetterWriter;
  logger: BusLogger;
  hooks: BusHooks;
  /** Aborted by stop(): no new retries, no waiting. */
  stopping: AbortSignal;
}

function parse<T extends EnvelopeType>(
  value: Buffer | null,
  types: readonly T[] | undefined,
): EnvelopeOf<T> {
  const envelope: Envelope = parseEnvelope(value);
  if (types !== undefined && !(types as readonly string[]).includes(envelope.type)) {
    throw new InvalidEnvelopeError(
      `unexpected type ${envelope.type} (accepts ${types.join(', ')})`,
    );
  }
  return envelope as EnvelopeOf<T>;
}

/**
 * One message from the bus to its end: parsed, handled (retried in place while the
 * error is retriable), or dead-lettered with its error. Nothing is dropped: every path
 * but `abandoned` may be committed, and `abandoned` is redelivered.
 */
export async function processMessage<T extends EnvelopeType>(
  deps: ProcessDeps<T>,
  at: MessagePosition,
  message: KafkaMessage,
  heartbeat: () => Promise<void>,
): Promise<Outcome> {
  const { logger, hooks } = deps;

  const deadLetter = async (
    type: string | null,
    reason: DeadLetterReason,
    error: unknown,
    attempts: number,
  ): Promise<Outcome> => {
    const { code, message: text } = errorFields(error);
    logger.warn({ ...at, type, reason, attempts, err: errorFields(error) }, 'dead-lettering');
    const written = await deps.deadLetter.write(
      at,
      message,
      { code, message: text, attempts },
      deps.stopping,
    );
    if (!written) return 'abandoned';
    callHook(logger, 'onDeadLetter', hooks.onDeadLetter, { ...at, type, reason, code, error });
    return 'dead-lettered';
  };

  let envelope: EnvelopeOf<T>;
  try {
    envelope = parse(message.value, deps.types);
  } catch (error) {
    return deadLetter(null, 'invalid', error, 0);
  }

  const { type } = envelope;
  const traceContext = extractTrace(message.headers, envelope.trace);
  const key = message.key === null ? null : message.key.toString('utf8');

  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      const ctx = { ...at, key, attempt, traceContext };
      await context.with(traceContext, () => deps.handler(envelope, ctx));
      const durationMs = performance.now() - started;
      logger.debug({ ...at, type, id: envelope.id, attempt, durationMs }, 'handled');
      callHook(logger, 'onHandled', hooks.onHandled, {
        ...at,
        type,
        attempts: attempt,
        durationMs,
      });
      return 'handled';
    } catch (error) {
      if (!isRetriable(error)) return deadLetter(type, 'rejected', error, attempt);
      if (attempt >= deps.retry.maxAttempts) return deadLetter(type, 'exhausted', error, attempt);
      if (deps.stopping.aborted) return 'abandoned';

      const delayMs = backoffDelay(attempt, deps.retry);
      logger.warn(
        { ...at, type, id: envelope.id, attempt, delayMs, err: errorFields(error) },
        'handler failed (retriable); retrying',
      );
      callHook(logger, 'onRetry', hooks.onRetry, { ...at, type, attempt, delayMs, error });
      // Keeps the group membership through the wait; throws if a rebalance began, which
      // leaves the message uncommitted for whoever owns the partition next.
      await heartbeat();
      if (!(await sleep(delayMs, deps.stopping))) return 'abandoned';
    }
  }
}
