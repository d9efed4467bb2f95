import { z } from 'zod';

/** The endpoint's environment, read once by main. */
export const EndpointEnv = z.object({
  /** Path of the JSON config (EndpointConfig); the first CLI argument overrides it. */
  VMSYNC_TOKEN_ENDPOINT_CONFIG: z.string().min(1).optional(),
  VMSYNC_GOOGLE_HOST: z.string().default('127.0.0.1'),
  VMSYNC_GOOGLE_PORT: z.coerce.number().int().min(1).max(65535).default(18080),
  /** Delay before every /token answer (fault tests: a slow Google). */
  VMSYNC_TOKEN_DELAY_MS: z.coerce.number().int().nonnegative().default(0),
});
export type EndpointEnv = z.infer<typeof EndpointEnv>;
