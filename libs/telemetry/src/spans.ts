import { createHash } from 'node:crypto';
import {
  type Attributes,
  context,
  isSpanContextValid,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

export { type Span, SpanKind } from '@opentelemetry/api';

/** vmsync's span attributes: what an SRE filters traces by (docs/operations.md). */
export const Attr = {
  direction: 'vmsync.direction',
  action: 'vmsync.action',
  outcome: 'vmsync.outcome',
  eventType: 'vmsync.event_type',
  phase: 'vmsync.phase',
  echo: 'vmsync.echo',
  server: 'vmsync.voicemail_server',
  shard: 'vmsync.shard',
  mailbox: 'vmsync.mailbox_hash',
  latencyMs: 'vmsync.sync_latency_ms',
} as const;

const tracer = () => trace.getTracer('vmsync');

/**
 * A mailbox address as it may appear in a trace: never in clear, but the same for the
 * same address, so an SRE can find a user's syncs (sha256 of the lower-cased address,
 * first 16 hex digits: `printf %s user@example.com | sha256sum | cut -c1-16`).
 */
export function mailboxHash(address: string): string {
  return createHash('sha256').update(address.toLowerCase()).digest('hex').slice(0, 16);
}

/**
 * Runs `work` in a new span, a child of the active context (for a consumer, the trace the
 * message came in), active for everything `work` does, publishing included. An error
 * marks the span and is rethrown.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * A root span for one observed change (a trace starts where vmsync saw the change), not
 * made active: a watcher observes many changes at once and publishes them together.
 * `traceparent` is what goes with the event, absent when tracing is off.
 */
export function startObservation(
  name: string,
  attributes: Attributes,
): { span: Span; trace: { traceparent: string } | undefined } {
  const span = tracer().startSpan(
    name,
    { kind: SpanKind.PRODUCER, attributes, root: true },
    context.active(),
  );
  return { span, trace: traceOf(span) };
}

/** The W3C traceparent of a span (absent when tracing is off). */
export function traceOf(span: Span | undefined): { traceparent: string } | undefined {
  const sc = span?.spanContext();
  if (sc === undefined || !isSpanContextValid(sc)) return undefined;
  const flags = sc.traceFlags.toString(16).padStart(2, '0');
  return { traceparent: `00-${sc.traceId}-${sc.spanId}-${flags}` };
}

/** The active span's traceparent: what a message published now should carry. */
export function activeTrace(): { traceparent: string } | undefined {
  return traceOf(trace.getActiveSpan());
}
