export { createLogger, type Logger } from './logger.js';
export { startTelemetry, type Telemetry } from './sdk.js';
