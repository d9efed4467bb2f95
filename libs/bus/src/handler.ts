import type { Context } from '@opentelemetry/api';
import type { EnvelopeOf, EnvelopeType } from '@vmsync/events';

export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** 1 on the first try; a retriable failure calls the handler again with attempt + 1. */
  attempt: number;
  /**
   * The trace context the message was published in (extracted from its headers). The
   * handler already runs inside it: spans it starts join the publisher's trace.
   */
  traceContext: Context;
}

/**
 * Does the work for one message. Resolving means done: the offset is committed next.
 * Throw a VmsyncError with `retriable: true` to be called again after a backoff; any
 * other error sends the message to the dead-letter topic. Must be idempotent: a message
 * is delivered at least once.
 */
export type Handler<T extends EnvelopeType = EnvelopeType> = (
  envelope: EnvelopeOf<T>,
  ctx: MessageContext,
) => Promise<void>;
