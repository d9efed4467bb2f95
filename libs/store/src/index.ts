export { DeploymentClock } from './deployment-clock.js';
export { Store, type StoreOptions } from './store.js';
