import { z } from 'zod';
import { Secret } from './secret.js';

/** A required secret given as NAME or NAME_FILE; wrapped so it cannot be printed. */
export const secretString = z
  .string()
  .min(1)
  .transform((value) => new Secret(value));

const list = z
  .string()
  .min(1)
  .transform((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** Environment shared by every service that talks to Kafka and Redis. */
export const BusEnv = z.object({
  VMSYNC_KAFKA_BROKERS: list,
  VMSYNC_KAFKA_CLIENT_ID: z.string().min(1).default('vmsync'),
  VMSYNC_REDIS_URL: z
    .string()
    .startsWith('redis')
    .transform((url) => new Secret(url)),
  /** Prefix of every Redis key and Kafka consumer group: one per deployment. */
  VMSYNC_DEPLOYMENT: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/)
    .default('vmsync'),
  VMSYNC_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(6),
  /** How long a silent consumer keeps its partitions before the group hands them on. */
  VMSYNC_CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30_000),
  /**
   * Messages of different users (keys) of one partition handled at once by rules and the
   * actuators; one user's stay in order. 1: each partition strictly in order.
   */
  VMSYNC_KEY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** Prepended to every topic name; empty in production, unique per test. */
  VMSYNC_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/)
    .default(''),
});
export type BusEnv = z.infer<typeof BusEnv>;

export const OpsEnv = z.object({
  VMSYNC_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  VMSYNC_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  VMSYNC_HTTP_HOST: z.string().default('127.0.0.1'),
  /** How often a consumer's lag is measured (a Kafka admin request per measure). */
  VMSYNC_LAG_INTERVAL_MS: z.coerce.number().int().min(200).default(10_000),
  /** Ready once a measure shows at most this many messages behind (docs/operations.md). */
  VMSYNC_READY_MAX_LAG: z.coerce.number().int().min(0).default(1_000),
});
export type OpsEnv = z.infer<typeof OpsEnv>;
