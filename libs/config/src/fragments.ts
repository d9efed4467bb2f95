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
   * Messages of different users (keys) of one partition handled at once by the actuators;
   * one user's stay in order. 1: each partition strictly in order. (The rules keep one
   * message at a time: with users side by side, a pair's two snapshots and a change could
   * be decided in another order after a crash, giving equivalent commands twice.)
   */
  VMSYNC_KEY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** TLS to the brokers (certificates always verified; a private CA via the file below). */
  VMSYNC_KAFKA_SSL: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  VMSYNC_KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  /** SASL authentication; username and password (or VMSYNC_KAFKA_SASL_PASSWORD_FILE) with it. */
  VMSYNC_KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  VMSYNC_KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  VMSYNC_KAFKA_SASL_PASSWORD: secretString.optional(),
  /** Redis password (or VMSYNC_REDIS_PASSWORD_FILE); else the URL's, if any. */
  VMSYNC_REDIS_PASSWORD: secretString.optional(),
  /** A private CA for `rediss://` (TLS) URLs; certificates are always verified. */
  VMSYNC_REDIS_TLS_CA_FILE: z.string().min(1).optional(),
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

const flagOf = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .default(fallback)
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const flag = flagOf('false');

/** Dry run (docs/reliability.md): log what would be done, change nothing. */
export const DryRunEnv = z.object({
  VMSYNC_DRY_RUN: flag,
});
export type DryRunEnv = z.infer<typeof DryRunEnv>;

/**
 * The mail services keep the access tokens they mint in Redis, sealed with the service
 * account's key, so that a restart or another process logs in without minting them again
 * (docs/email-side.md). `false`: each process mints its own.
 */
export const SharedTokensEnv = z.object({
  VMSYNC_SHARE_ACCESS_TOKENS: flagOf('true'),
});
export type SharedTokensEnv = z.infer<typeof SharedTokensEnv>;

/** The rules' safety fuse on deletions (docs/reliability.md). */
export const FuseEnv = z.object({
  /** A reconciliation may delete at most this share of a mailbox's voicemails... */
  VMSYNC_FUSE_MAX_SHARE: z.coerce.number().min(0).max(1).default(0.5),
  /** ...once it deletes more than this many in the window (fewer always pass). */
  VMSYNC_FUSE_MIN_DELETIONS: z.coerce.number().int().min(0).default(2),
  VMSYNC_FUSE_WINDOW_S: z.coerce
    .number()
    .int()
    .min(1)
    .default(15 * 60),
  /** How long a tripped fuse holds (an operator may reset it sooner). */
  VMSYNC_FUSE_HOLD_S: z.coerce
    .number()
    .int()
    .min(1)
    .default(7 * 24 * 3600),
  /** `refuse`: a message found nowhere never causes its partner's deletion. */
  VMSYNC_FUSE_VANISHED: z.enum(['refuse', 'allow']).default('refuse'),
});
export type FuseEnv = z.infer<typeof FuseEnv>;
