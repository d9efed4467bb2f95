export { busMetrics } from './metrics/bus-metrics.js';
export { ConsumerLag, topicLag } from './metrics/consumer-lag.js';
export { type MetricsSource, ServiceMetrics } from './metrics/service-metrics.js';
export { type Direction, SyncMetrics } from './metrics/sync-metrics.js';
export { type OpsServerOptions, startOpsServer } from './ops-server.js';
export { type ServiceBase, startServiceBase } from './service-base.js';
export { Shutdown, type ShutdownLogger } from './shutdown.js';
