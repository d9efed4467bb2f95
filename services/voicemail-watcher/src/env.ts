import { BusEnv, OpsEnv } from '@vmsync/config';
import { z } from 'zod';

/** The voicemail-watcher's whole configuration, read once at boot. */
export const VoicemailWatcherEnv = z.object({
  ...BusEnv.shape,
  ...OpsEnv.shape,
  /** This voicemail server's id: names its command topic and its messages' refs. */
  VMSYNC_SERVER_ID: z.string().regex(/^[A-Za-z0-9._-]+$/),
  /** app_voicemail's spool, e.g. /var/spool/asterisk/voicemail. */
  VMSYNC_SPOOL_DIR: z.string().min(1),
  /** e.g. /etc/asterisk/voicemail.conf. */
  VMSYNC_VOICEMAIL_CONF: z.string().min(1),
  VMSYNC_RESCAN_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
});
export type VoicemailWatcherEnv = z.infer<typeof VoicemailWatcherEnv>;
