import { readFileSync } from 'node:fs';
import type { BusEnv } from './fragments.js';
import { ConfigError } from './load-config.js';

export interface KafkaSecurity {
  ssl?: true | { ca: string[] };
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
}

export interface RedisConnection {
  url: string;
  password?: string;
  tls?: { ca: string[] };
}

function readCa(variable: string, path: string): string[] {
  try {
    return [readFileSync(path, 'utf8')];
  } catch (error) {
    throw new ConfigError(
      `${variable}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
}

/** Kafka's TLS and SASL settings from the config, checked as a whole (names what is missing). */
export function kafkaSecurity(env: BusEnv): KafkaSecurity {
  const out: KafkaSecurity = {};
  if (env.VMSYNC_KAFKA_SSL_CA_FILE !== undefined && !env.VMSYNC_KAFKA_SSL) {
    throw new ConfigError('VMSYNC_KAFKA_SSL_CA_FILE is set but VMSYNC_KAFKA_SSL is not true');
  }
  if (env.VMSYNC_KAFKA_SSL) {
    out.ssl =
      env.VMSYNC_KAFKA_SSL_CA_FILE === undefined
        ? true
        : { ca: readCa('VMSYNC_KAFKA_SSL_CA_FILE', env.VMSYNC_KAFKA_SSL_CA_FILE) };
  }
  const { VMSYNC_KAFKA_SASL_MECHANISM: mechanism, VMSYNC_KAFKA_SASL_USERNAME: username } = env;
  const password = env.VMSYNC_KAFKA_SASL_PASSWORD;
  if (mechanism === undefined) {
    if (username !== undefined || password !== undefined) {
      throw new ConfigError('VMSYNC_KAFKA_SASL_USERNAME/PASSWORD need VMSYNC_KAFKA_SASL_MECHANISM');
    }
    return out;
  }
  if (username === undefined || password === undefined) {
    throw new ConfigError(
      'VMSYNC_KAFKA_SASL_MECHANISM needs VMSYNC_KAFKA_SASL_USERNAME and VMSYNC_KAFKA_SASL_PASSWORD',
    );
  }
  out.sasl = { mechanism, username, password: password.reveal() };
  return out;
}

/** Redis's URL, password and TLS trust from the config. */
export function redisConnection(env: BusEnv): RedisConnection {
  const url = env.VMSYNC_REDIS_URL.reveal();
  const tls = url.startsWith('rediss://');
  if (!tls && !url.startsWith('redis://')) {
    throw new ConfigError('VMSYNC_REDIS_URL must start with redis:// or rediss:// (TLS)');
  }
  if (env.VMSYNC_REDIS_TLS_CA_FILE !== undefined && !tls) {
    throw new ConfigError('VMSYNC_REDIS_TLS_CA_FILE is set but VMSYNC_REDIS_URL is not rediss://');
  }
  return {
    url,
    ...(env.VMSYNC_REDIS_PASSWORD === undefined
      ? {}
      : { password: env.VMSYNC_REDIS_PASSWORD.reveal() }),
    ...(env.VMSYNC_REDIS_TLS_CA_FILE === undefined
      ? {}
      : { tls: { ca: readCa('VMSYNC_REDIS_TLS_CA_FILE', env.VMSYNC_REDIS_TLS_CA_FILE) } }),
  };
}
