export { type OpsServerOptions, startOpsServer } from './ops-server.js';
export { type ServiceBase, startServiceBase } from './service-base.js';
export { Shutdown, type ShutdownLogger } from './shutdown.js';
