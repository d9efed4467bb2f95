import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BusConsumer, startConsumer } from './consumer.js';
import { Header, headerValue } from './headers.js';
import { createPublisher, type Publisher } from './publisher.js';
import {
  readAll,
  testKafka,
  testLogger,
  uniqueNames,
  voicemailChanged,
  waitUntil,
} from './test-support.js';
import { ensureTopics } from './topics.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

const kafka = testKafka();
const { topic, groupId } = uniqueNames('trace');
let publisher: Publisher;
let consumer: BusConsumer | undefined;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  publisher = createPublisher(kafka);
  await publisher.connect();
});

afterAll(async () => {
  await consumer?.stop();
  await publisher?.disconnect();
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

describe('trace context', () => {
  it('travels in headers: the handler runs in the publisher’s trace', async () => {
    const tracer = trace.getTracer('bus-int-test');
    const published = await tracer.startActiveSpan('watcher observes change', async (span) => {
      await publisher.publish(topic, 'frank@example.com', voicemailChanged('tr-1'));
      span.end();
      return span.spanContext();
    });

    const seen: Array<{ fromCtx: string | undefined; active: string | undefined }> = [];
    consumer = await startConsumer(kafka, {
      groupId,
      topics: [topic],
      logger: testLogger,
      maxWaitTimeMs: 200,
      handler: async (_envelope, ctx) => {
        seen.push({
          fromCtx: trace.getSpanContext(ctx.traceContext)?.traceId,
          active: trace.getSpanContext(context.active())?.traceId,
        });
        tracer.startSpan('rules decide').end();
      },
    });
    await waitUntil(() => seen.length === 1, 'the handler');

    expect(seen).toEqual([{ fromCtx: published.traceId, active: published.traceId }]);
    const [raw] = await readAll(kafka, topic, 1);
    expect(headerValue(raw?.headers, Header.traceparent)).toBe(
      `00-${published.traceId}-${published.spanId}-01`,
    );

    const child = exporter.getFinishedSpans().find((s) => s.name === 'rules decide');
    expect(child?.spanContext().traceId).toBe(published.traceId);
    expect(child?.parentSpanContext?.spanId).toBe(published.spanId);
  });

  it('an envelope with its own trace is sent in it, whatever the active context', async () => {
    const { topic: own } = uniqueNames('trace-own');
    await ensureTopics(kafka, [{ topic: own, partitions: 1 }]);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const tracer = trace.getTracer('bus-int-test');
    await tracer.startActiveSpan('batch', async (span) => {
      await publisher.publishBatch(own, [
        { key: 'a', envelope: { ...voicemailChanged('tr-own'), trace: { traceparent } } },
        { key: 'b', envelope: voicemailChanged('tr-active') },
      ]);
      span.end();
    });
    const [first, second] = await readAll(kafka, own, 2);
    expect(headerValue(first?.headers, Header.traceparent)).toBe(traceparent);
    expect(headerValue(second?.headers, Header.traceparent)).toMatch(
      /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/,
    );
    expect(headerValue(second?.headers, Header.traceparent)).not.toBe(traceparent);
  });
});
