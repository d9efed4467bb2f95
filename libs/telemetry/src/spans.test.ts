import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inSpan, mailboxHash, startObservation } from './spans.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

describe('spans', () => {
  it('an observation is a new trace whose traceparent names it', () => {
    const outer = trace.getTracer('t').startSpan('unrelated');
    const observed = context.with(trace.setSpan(context.active(), outer), () =>
      startObservation('watcher observe', { 'vmsync.direction': 'voicemail-to-email' }),
    );
    observed.span.end();
    outer.end();
    const sc = observed.span.spanContext();
    expect(sc.traceId).not.toBe(outer.spanContext().traceId);
    expect(observed.trace?.traceparent).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
  });

  it('inSpan is a child of the active context, marks errors and rethrows', async () => {
    const parent = startObservation('root', {});
    const ctx = trace.setSpan(context.active(), parent.span);
    await expect(
      context.with(ctx, () =>
        inSpan('rules decide', {}, async () => {
          throw new Error('boom');
        }),
      ),
    ).rejects.toThrow('boom');
    parent.span.end();
    const child = exporter.getFinishedSpans().find((s) => s.name === 'rules decide');
    expect(child?.parentSpanContext?.spanId).toBe(parent.span.spanContext().spanId);
    expect(child?.status.code).toBe(2);
  });

  it('hashes addresses, case-insensitively, never in clear', () => {
    expect(mailboxHash('Frank@Example.com')).toBe(mailboxHash('frank@example.com'));
    expect(mailboxHash('frank@example.com')).toMatch(/^[0-9a-f]{16}$/);
  });
});
