import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { TraceContext } from '@vmsync/events';
import type { IHeaders } from 'kafkajs';
import { Header, headerValue } from './headers.js';

const setter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => headerValue(carrier, key),
};

/**
 * The active context's propagation headers (W3C `traceparent`/`tracestate` with the
 * usual propagator). Empty when no propagator is registered or no span is active.
 */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier, setter);
  return carrier;
}

/**
 * The context a message was published in: from its headers, else from the envelope's own
 * `trace` field (a record re-published without headers), else the root context.
 */
export function extractTrace(headers: IHeaders | undefined, fallback?: TraceContext): Context {
  if (headerValue(headers, Header.traceparent) !== undefined && headers !== undefined) {
    return propagation.extract(ROOT_CONTEXT, headers, getter);
  }
  if (fallback !== undefined) {
    const carrier: IHeaders = { [Header.traceparent]: fallback.traceparent };
    if (fallback.tracestate !== undefined) carrier[Header.tracestate] = fallback.tracestate;
    return propagation.extract(ROOT_CONTEXT, carrier, getter);
  }
  return ROOT_CONTEXT;
}
