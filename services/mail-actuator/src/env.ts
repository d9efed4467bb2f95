import { hostname } from 'node:os';
import { BusEnv, DryRunEnv, OpsEnv, SharedTokensEnv } from '@vmsync/config';
import { z } from 'zod';

const ms = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/** The mail-actuator's whole configuration, read once at boot. */
export const MailActuatorEnv = z.object({
  ...BusEnv.shape,
  ...OpsEnv.shape,
  ...SharedTokensEnv.shape,
  ...DryRunEnv.shape,
  /** JSON file naming each domain's mail credential (see docs/email-side.md). */
  VMSYNC_MAIL_DOMAINS_FILE: z.string().min(1),
  /** Consumer group over mail-commands; default `<deployment>-mail-actuator`. */
  VMSYNC_MAIL_ACTUATOR_GROUP: z.string().min(1).optional(),
  VMSYNC_INSTANCE: z.string().min(1).default(`${hostname()}-${process.pid}`),
  VMSYNC_IMAP_KEEPALIVE_MS: ms(300_000),
  VMSYNC_IMAP_LOGIN_RATE: z.coerce.number().positive().default(200),
  VMSYNC_IMAP_LOGIN_BURST: z.coerce.number().int().min(1).default(50),
  VMSYNC_IMAP_MAX_CONNECTING: z.coerce.number().int().min(1).default(64),
  /** A pooled connection unused this long is logged out. */
  VMSYNC_ACTUATOR_IDLE_CLOSE_MS: ms(5 * 60_000),
  /** At most this many pooled connections (least recently used closed first). */
  VMSYNC_ACTUATOR_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(500),
  /** One command's IMAP work taking longer is abandoned (connection closed) and retried. */
  VMSYNC_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** How long an applied command id is remembered (duplicates within it are no-ops). */
  VMSYNC_COMMAND_DEDUPE_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  /** A mailbox that needs admin action fails its commands at once for this long (doubling). */
  VMSYNC_MAILBOX_ADMIN_RETRY_MIN_MS: ms(60_000),
  VMSYNC_MAILBOX_ADMIN_RETRY_MAX_MS: ms(30 * 60_000),
  /** Attempts per command on retriable (IMAP, network) failures before the dead-letter topic. */
  VMSYNC_COMMAND_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(12),
  VMSYNC_COMMAND_RETRY_MAX_MS: ms(30_000),
});
export type MailActuatorEnv = z.infer<typeof MailActuatorEnv>;
