import { hostname } from 'node:os';
import { BusEnv, OpsEnv, SharedTokensEnv } from '@vmsync/config';
import { z } from 'zod';

const ms = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const list = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );

/** The email-watcher's whole configuration, read once at boot. */
export const EmailWatcherEnv = z.object({
  ...BusEnv.shape,
  ...OpsEnv.shape,
  ...SharedTokensEnv.shape,
  /** JSON file naming each domain's mail credential (see docs/email-side.md). */
  VMSYNC_MAIL_DOMAINS_FILE: z.string().min(1),
  /** Addresses the PBXs send notifications from (voicemail.conf `serveremail`). */
  VMSYNC_PBX_SENDERS: list,
  /** Consumer group over the mailboxes topic; default `<deployment>-email-watcher`. */
  VMSYNC_EMAIL_WATCHER_GROUP: z.string().min(1).optional(),
  /** This instance's name in leases and mailbox status. */
  VMSYNC_INSTANCE: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /**
   * The other folders (Trash, All Mail, archives) are checked this often (±20 % jitter, by
   * STATUS; only a folder that moved is read); INBOX is pushed by IDLE. Changes made only
   * outside INBOX (an archived email read or deleted, Trash emptied) wait for it; each check
   * costs ~0.4 KB per folder holding notifications, nothing when all are in INBOX
   * (docs/email-side.md).
   */
  VMSYNC_EMAIL_POLL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(200)
    .max(24 * 60_000)
    .default(20 * 60_000),
  /** A look at a mailbox taking longer is abandoned (connection closed, retried later). */
  VMSYNC_EMAIL_LOOK_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(120_000),
  /**
   * TCP keepalive delay on IMAP sockets; 0 turns it off. Under 350 s, the idle timeout of
   * common NAT gateways; each probe is 2 x 66 B on the wire (NOTES.md).
   */
  VMSYNC_IMAP_KEEPALIVE_MS: ms(300_000),
  /**
   * A quiet IDLE is ended and begun again this often (RFC 2177: within 29 min, so no server
   * logs the connection out as inactive), ±10 % per connection; 79 B of IMAP (174 B as TLS
   * records) per mailbox each time.
   */
  VMSYNC_IMAP_IDLE_RENEW_MS: z.coerce
    .number()
    .int()
    .min(10_000)
    .max(29 * 60_000)
    .default(24 * 60_000),
  /**
   * After a look a change caused, the IDLE is ended and begun again once this much later
   * (±20 %; 0: never): ~79 B of IMAP per change. Dovecot with `imap_hibernate_timeout` loses
   * a change made in the ~0.5 s before it hibernates an IDLE session and reports it only
   * when the client next sends something; changes come in bursts, so this catches it within
   * this delay rather than at the next renewal. Longer than the server's hibernation
   * timeout (docs/email-side.md).
   */
  VMSYNC_IMAP_IDLE_FOLLOW_UP_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(29 * 60_000)
    .default(60_000),
  /** IMAP logins (and token requests) per second per domain, and the burst; a domain may set its own. */
  VMSYNC_IMAP_LOGIN_RATE: z.coerce.number().positive().default(200),
  VMSYNC_IMAP_LOGIN_BURST: z.coerce.number().int().min(1).default(50),
  /** Connection attempts in flight at once (TCP + TLS + token + login). */
  VMSYNC_IMAP_MAX_CONNECTING: z.coerce.number().int().min(1).default(64),
  VMSYNC_MAILBOX_RETRY_MIN_MS: ms(1_000),
  VMSYNC_MAILBOX_RETRY_MAX_MS: ms(5 * 60_000),
  VMSYNC_MAILBOX_THROTTLE_RETRY_MIN_MS: ms(60_000),
  VMSYNC_MAILBOX_THROTTLE_RETRY_MAX_MS: ms(15 * 60_000),
  /** A mailbox that needs admin action is tried again this rarely (doubling up to the max). */
  VMSYNC_MAILBOX_ADMIN_RETRY_MIN_MS: ms(60_000),
  VMSYNC_MAILBOX_ADMIN_RETRY_MAX_MS: ms(30 * 60_000),
  /** Lease that keeps a mailbox to one watcher across a rebalance; renewed every third. */
  VMSYNC_WATCH_LEASE_MS: z.coerce.number().int().min(1_000).default(20_000),
});
export type EmailWatcherEnv = z.infer<typeof EmailWatcherEnv>;
