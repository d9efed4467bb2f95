export { type OpsServerOptions, startOpsServer } from './ops-server.js';
export { Shutdown, type ShutdownLogger } from './shutdown.js';
