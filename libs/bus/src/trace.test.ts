import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTrace, traceHeaders } from './trace.js';

const spanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
};
const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-01`;

describe('trace headers', () => {
  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  it('injects the given context as W3C traceparent', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext);
    expect(traceHeaders(ctx)).toEqual({ traceparent });
  });

  it('injects nothing outside a span', () => {
    expect(traceHeaders(context.active())).toEqual({});
  });

  it('extracts from Kafka headers (Buffers), tracestate included', () => {
    const ctx = extractTrace({
      traceparent: Buffer.from(traceparent),
      tracestate: Buffer.from('vendor=x'),
    });
    const extracted = trace.getSpanContext(ctx);
    expect(extracted?.traceId).toBe(spanContext.traceId);
    expect(extracted?.spanId).toBe(spanContext.spanId);
    expect(extracted?.isRemote).toBe(true);
    expect(extracted?.traceState?.get('vendor')).toBe('x');
  });

  it("falls back to the envelope's trace field, else the root context", () => {
    const fromEnvelope = extractTrace({}, { traceparent });
    expect(trace.getSpanContext(fromEnvelope)?.traceId).toBe(spanContext.traceId);
    expect(extractTrace(undefined)).toBe(ROOT_CONTEXT);
  });
});
