import { BusEnv, DryRunEnv, FuseEnv, OpsEnv, secretString } from '@vmsync/config';
import { z } from 'zod';

/** The rules service's whole configuration, read once at boot. */
export const RulesEnv = z.object({
  ...BusEnv.shape,
  ...OpsEnv.shape,
  ...FuseEnv.shape,
  ...DryRunEnv.shape,
  /** HMAC secret of X-Vmsync-Ref (or VMSYNC_REF_SECRET_FILE). */
  VMSYNC_REF_SECRET: secretString,
  /** Addresses the PBXs send notifications from (voicemail.conf `serveremail`). */
  VMSYNC_PBX_SENDERS: z
    .string()
    .default('')
    .transform(
      (v) =>
        new Set(
          v
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean),
        ),
    ),
  VMSYNC_RULES_GROUP: z.string().optional(),
});
export type RulesEnv = z.infer<typeof RulesEnv>;
