import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for a service. Exporters come from the standard OTEL_* variables
 * (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ...) unless a span exporter is
 * given (tests). Resource auto-detection is off: with it on, NodeSDK 0.223 holds spans
 * until the async host detector resolves (see NOTES.md).
 */
export function startTelemetry(options: {
  service: string;
  traceExporter?: SpanExporter;
}): Telemetry {
  const sdk = new NodeSDK({
    serviceName: options.service,
    autoDetectResources: false,
    ...(options.traceExporter ? { traceExporter: options.traceExporter } : {}),
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
