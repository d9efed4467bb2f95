import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NAMES = [
  'VMSYNC_IMAP_HOST',
  'VMSYNC_IMAP_PORT',
  'VMSYNC_IMAP_TLS_CA',
  'VMSYNC_IMAP_SERVERNAME',
  'VMSYNC_IMAP_MASTER_USER',
  'VMSYNC_IMAP_MASTER_PASSWORD',
  'VMSYNC_IMAP_MASTER_SEPARATOR',
  'VMSYNC_GOOGLE_TOKEN_URL',
  'VMSYNC_TEST_SA_KEY',
  'VMSYNC_TEST_SA_KEY_UNDELEGATED',
  'VMSYNC_TEST_SA_KEY_DELETED',
  'VMSYNC_KAFKA_BROKERS',
  'VMSYNC_REDIS_URL',
] as const;

export type StackEnv = Record<(typeof NAMES)[number], string>;

/** The local stack's environment (.stack/*.env); says how to get it when missing. */
export function stackEnv(): StackEnv {
  const missing = NAMES.filter((n) => !process.env[n]);
  if (missing.length > 0) {
    throw new Error(
      `integration env missing: ${missing.join(', ')}. Start the stack (./vmsync stack up) and ` +
        'export its env: set -a; for f in .stack/*.env; do . $f; done; set +a',
    );
  }
  return Object.fromEntries(NAMES.map((n) => [n, process.env[n] as string])) as StackEnv;
}

/**
 * Writes a mail domains file for example.test with the given service-account key (the
 * stack's delegated one by default), and returns its path.
 */
export function writeTestDomainsFile(env: StackEnv, keyFile = env.VMSYNC_TEST_SA_KEY): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmsync-domains-'));
  const path = join(dir, 'mail-domains.json');
  writeFileSync(
    path,
    JSON.stringify({
      domains: [
        {
          domain: 'example.test',
          kind: 'google',
          serviceAccountKeyFile: keyFile,
          tokenUrl: env.VMSYNC_GOOGLE_TOKEN_URL,
          imap: {
            host: env.VMSYNC_IMAP_HOST,
            port: Number(env.VMSYNC_IMAP_PORT),
            tlsCaFile: env.VMSYNC_IMAP_TLS_CA,
            servername: env.VMSYNC_IMAP_SERVERNAME,
          },
        },
      ],
    }),
  );
  return path;
}

/**
 * The environment of an email-side service process in a test: its own topic prefix and
 * deployment (Redis keys), quick polls and retries, no telemetry export.
 */
export function serviceEnv(
  env: StackEnv,
  o: { prefix: string; deployment: string; domainsFile: string },
): Record<string, string> {
  return {
    VMSYNC_KAFKA_BROKERS: env.VMSYNC_KAFKA_BROKERS,
    VMSYNC_REDIS_URL: env.VMSYNC_REDIS_URL,
    VMSYNC_DEPLOYMENT: o.deployment,
    VMSYNC_TOPIC_PREFIX: o.prefix,
    VMSYNC_PARTITIONS: '4',
    VMSYNC_MAIL_DOMAINS_FILE: o.domainsFile,
    VMSYNC_PBX_SENDERS: 'asterisk@pbx.example.test',
    VMSYNC_EMAIL_POLL_INTERVAL_MS: '1000',
    VMSYNC_MAILBOX_RETRY_MIN_MS: '200',
    VMSYNC_MAILBOX_RETRY_MAX_MS: '2000',
    VMSYNC_CONSUMER_SESSION_TIMEOUT_MS: '6000',
    VMSYNC_WATCH_LEASE_MS: '6000',
    VMSYNC_IMAP_KEEPALIVE_MS: '0',
    VMSYNC_LOG_LEVEL: 'info',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
}
