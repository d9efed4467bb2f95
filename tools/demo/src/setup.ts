import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSpoolLayout } from '@vmsync/pbx-sim';
import { type DemoContext, demoRoot, saveContext } from './demo-context.js';
import { MailboxUser } from './mailbox-user.js';

export interface WorldOptions {
  /** Where the spool and files go; emptied first. */
  root: string;
  /** The first stack user (user{first}@example.test); the demo takes 17, 18, 19. */
  first: number;
  /** How many users; the last one has text-only notifications (attach=no). */
  users: number;
  /** Which users get the WAV attached (by index); default: all but the last. */
  attach?: (index: number) => boolean;
  /** How many mailboxes are emptied at once (default 1: one after the other). */
  clearConcurrency?: number;
}

/**
 * A fresh world: a spool with users (all but the last with the WAV attached, the last
 * text only), their voicemail.conf, a mail-domain file for the local Dovecot, a
 * reference secret, and empty mailboxes. Used by the demo and the acceptance tests.
 */
export async function setUp(
  env: Record<string, string | undefined>,
  options: WorldOptions = { root: demoRoot(), first: 17, users: 3 },
): Promise<DemoContext> {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set: run through ./vmsync demo`);
    return value;
  };
  const { root, first } = options;
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const layout = await createSpoolLayout({
    root,
    users: options.users,
    first,
    attach: options.attach ?? ((i) => i !== first + options.users - 1),
    backupDeleted: 10,
    serverEmail: 'asterisk@pbx.example.test',
  });
  const refSecretFile = join(root, 'ref-secret');
  await writeFile(refSecretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const ctx: DemoContext = {
    root,
    spoolDir: layout.spoolDir,
    confPath: layout.confPath,
    serverEmail: layout.serverEmail,
    server: 'pbx1',
    refSecretFile,
    imap: {
      host: need('VMSYNC_IMAP_HOST'),
      port: Number(need('VMSYNC_IMAP_PORT')),
      caFile: need('VMSYNC_IMAP_TLS_CA'),
      masterUser: need('VMSYNC_IMAP_MASTER_USER'),
      masterPassword: need('VMSYNC_IMAP_MASTER_PASSWORD'),
      separator: need('VMSYNC_IMAP_MASTER_SEPARATOR'),
    },
    users: layout.users.map((u) => ({
      email: u.email,
      mailbox: u.mailbox,
      context: u.context,
      attach: u.attach,
    })),
  };
  await writeFile(
    join(root, 'mail-domains.json'),
    JSON.stringify(
      {
        domains: [
          {
            domain: 'example.test',
            kind: 'google',
            serviceAccountKeyFile: need('VMSYNC_TEST_SA_KEY'),
            tokenUrl: need('VMSYNC_GOOGLE_TOKEN_URL'),
            imap: {
              host: ctx.imap.host,
              port: ctx.imap.port,
              tlsCaFile: ctx.imap.caFile,
              servername: 'localhost',
            },
          },
        ],
      },
      null,
      2,
    ),
  );
  await saveContext(ctx);
  const queue = [...ctx.users];
  const clearNext = async (): Promise<void> => {
    for (let u = queue.shift(); u; u = queue.shift()) {
      const mailbox = new MailboxUser(ctx, u.email);
      await mailbox.clear();
      await mailbox.close();
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, options.clearConcurrency ?? 1) }, () => clearNext()),
  );
  return ctx;
}

/** The environment of every vmsync service in the demo. */
export function serviceEnv(ctx: DemoContext, env: Record<string, string | undefined>, run: string) {
  return {
    VMSYNC_KAFKA_BROKERS: env.VMSYNC_KAFKA_BROKERS ?? '',
    VMSYNC_REDIS_URL: env.VMSYNC_REDIS_URL ?? '',
    VMSYNC_DEPLOYMENT: `demo-${run}`,
    VMSYNC_TOPIC_PREFIX: `demo-${run}.`,
    VMSYNC_PARTITIONS: '4',
    VMSYNC_LOG_LEVEL: 'info',
    VMSYNC_CONSUMER_SESSION_TIMEOUT_MS: '10000',
    VMSYNC_SERVER_ID: ctx.server,
    VMSYNC_SPOOL_DIR: ctx.spoolDir,
    VMSYNC_VOICEMAIL_CONF: ctx.confPath,
    VMSYNC_REF_SECRET_FILE: ctx.refSecretFile,
    VMSYNC_PBX_SENDERS: ctx.serverEmail,
    VMSYNC_MAIL_DOMAINS_FILE: join(ctx.root, 'mail-domains.json'),
    VMSYNC_EMAIL_POLL_INTERVAL_MS: '2000',
    // the local Dovecot hibernates IDLE sessions after 5 s (docs/email-side.md)
    VMSYNC_IMAP_IDLE_FOLLOW_UP_MS: '8000',
    // and loses a change made as it hibernates one again after a renewal (the follow-up's
    // too): renewing every 10 s bounds that to 10 s here instead of 24 min
    VMSYNC_IMAP_IDLE_RENEW_MS: '10000',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
}
