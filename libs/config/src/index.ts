export {
  type KafkaSecurity,
  kafkaSecurity,
  type RedisConnection,
  redisConnection,
} from './connections.js';
export {
  BusEnv,
  DryRunEnv,
  FuseEnv,
  OpsEnv,
  SharedTokensEnv,
  secretString,
} from './fragments.js';
export { ConfigError, type Env, loadConfig, resolveFileVariables } from './load-config.js';
export { knownSecretValues, Secret, scrubSecrets } from './secret.js';
