export { DeploymentClock } from './deployment-clock.js';
export { type AppliedIntents, type Intent, IntentLog, type Side } from './intents.js';
export { missedChange } from './missed-change.js';
export { type Observation, ObservationLog } from './observations.js';
export { Store, type StoreOptions } from './store.js';
export { SyncLog, type SyncRecord } from './sync-log.js';
