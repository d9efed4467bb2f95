export { allocatorEnv } from './allocator.js';
export { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
export { serviceDigest } from './service-digest.js';
export { ServiceProcess } from './service-process.js';
export { uniqueName, waitFor } from './wait.js';
