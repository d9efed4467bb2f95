import { BusEnv, DryRunEnv, OpsEnv, secretString } from '@vmsync/config';
import { z } from 'zod';

/** The voicemail-actuator's whole configuration, read once at boot. */
export const VoicemailActuatorEnv = z.object({
  ...BusEnv.shape,
  ...OpsEnv.shape,
  ...DryRunEnv.shape,
  VMSYNC_SERVER_ID: z.string().regex(/^[A-Za-z0-9._-]+$/),
  VMSYNC_SPOOL_DIR: z.string().min(1),
  VMSYNC_VOICEMAIL_CONF: z.string().min(1),
  /** Asterisk manager interface, for the message-waiting lamp; all three or none. */
  VMSYNC_AMI_HOST: z.string().optional(),
  VMSYNC_AMI_PORT: z.coerce.number().int().min(1).max(65535).default(5038),
  VMSYNC_AMI_USERNAME: z.string().optional(),
  VMSYNC_AMI_SECRET: secretString.optional(),
});
export type VoicemailActuatorEnv = z.infer<typeof VoicemailActuatorEnv>;
