import { loadConfig, secretString } from '@vmsync/config';
import { z } from 'zod';
import { configError } from './exit-codes.js';

const optional = z.string().min(1).optional();

/**
 * The CLI reads the same variables as the services (the deployment's one configuration),
 * all optional here: each command asks for what it needs and says which one is missing.
 */
export const CliEnv = z.object({
  VMSYNC_MAIL_DOMAINS_FILE: optional,
  VMSYNC_KAFKA_BROKERS: optional,
  VMSYNC_REDIS_URL: z.string().startsWith('redis').optional(),
  VMSYNC_DEPLOYMENT: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/)
    .default('vmsync'),
  VMSYNC_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/)
    .default(''),
  VMSYNC_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(6),
  VMSYNC_SPOOL_DIR: optional,
  VMSYNC_VOICEMAIL_CONF: optional,
  /** The rules' list of PBX sender addresses, compared with voicemail.conf's `serveremail`. */
  VMSYNC_PBX_SENDERS: z.string().default(''),
  /** The admin page's password (or VMSYNC_ADMIN_PASSWORD_FILE); the page refuses to start without it. */
  VMSYNC_ADMIN_PASSWORD: secretString.optional(),
  VMSYNC_ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  VMSYNC_ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(8470),
  /** The page's public origin when behind a reverse proxy (`https://vmsync.example.com`). */
  VMSYNC_ADMIN_ORIGIN: z.url().optional(),
});
export type CliEnv = z.infer<typeof CliEnv>;

type Needed = Exclude<keyof CliEnv, 'VMSYNC_ADMIN_PASSWORD'>;

/** The value of a variable a command cannot do without, or a config error naming it. */
export function need<K extends Needed>(env: CliEnv, name: K, what: string): NonNullable<CliEnv[K]> {
  const value = env[name];
  if (value === undefined || value === '') {
    throw configError(`${name} is not set: it names ${what}.`);
  }
  return value as NonNullable<CliEnv[K]>;
}

/**
 * The CLI's configuration from the environment. loadConfig reads every VMSYNC_*_FILE as a
 * secret's file; the domains file is not a secret, and `domain add` may be the one to
 * create it, so it is taken as a path.
 */
export function loadCliEnv(env: Readonly<Record<string, string | undefined>>): CliEnv {
  const { VMSYNC_MAIL_DOMAINS_FILE: domainsFile, ...rest } = env;
  const parsed = loadConfig(CliEnv, rest);
  return domainsFile ? { ...parsed, VMSYNC_MAIL_DOMAINS_FILE: domainsFile } : parsed;
}
