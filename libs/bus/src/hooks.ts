import { type BusLogger, errorFields } from './logger.js';

/** Where a consumed message came from. */
export interface MessagePosition {
  topic: string;
  partition: number;
  offset: string;
}

export interface PublishedEvent {
  topic: string;
  count: number;
  durationMs: number;
}

export interface HandledEvent extends MessagePosition {
  type: string;
  /** Handler attempts this delivery took (1 = first try). */
  attempts: number;
  durationMs: number;
}

export interface RetryEvent extends MessagePosition {
  type: string;
  /** The attempt that failed. */
  attempt: number;
  delayMs: number;
  error: unknown;
}

export type DeadLetterReason = 'invalid' | 'rejected' | 'exhausted';

export interface DeadLetterEvent extends MessagePosition {
  /** The envelope's type when the message parsed, else null. */
  type: string | null;
  reason: DeadLetterReason;
  code: string;
  error: unknown;
}

/**
 * What the bus reports for metrics (the services turn these into counters and
 * histograms). Hooks run inline: keep them cheap. A hook that throws is logged and
 * otherwise ignored, never allowed to change what happens to a message.
 */
export interface BusHooks {
  onPublished?(event: PublishedEvent): void;
  onHandled?(event: HandledEvent): void;
  onRetry?(event: RetryEvent): void;
  onDeadLetter?(event: DeadLetterEvent): void;
}

export function callHook<E>(
  logger: BusLogger,
  name: keyof BusHooks,
  hook: ((event: E) => void) | undefined,
  event: E,
): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch (error) {
    logger.warn({ hook: name, err: errorFields(error) }, 'bus hook threw; ignored');
  }
}
