export { createLogger, type Logger } from './logger.js';
export { startTelemetry, type Telemetry } from './sdk.js';
export {
  Attr,
  activeTrace,
  inSpan,
  mailboxHash,
  type Span,
  SpanKind,
  startObservation,
  traceOf,
} from './spans.js';
