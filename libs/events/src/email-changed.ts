import { z } from 'zod';
import { EmailState } from './state.js';

export const EmailRef = z.strictObject({
  /** The mailbox's address (the user). */
  account: z.email(),
  /**
   * Stable id (DESIGN.md §2): `gm:<X-GM-MSGID>` where the server speaks X-GM-EXT-1,
   * else `mid:<Message-ID>`.
   */
  emailId: z.string().regex(/^(gm|mid):.+$/),
});
export type EmailRef = z.infer<typeof EmailRef>;

/** What linking needs of a notification (DESIGN.md §4): headers only, never the body. */
export const Notification = z.strictObject({
  messageId: z.string().min(1),
  from: z.string(),
  date: z.number().int().nonnegative().nullable(),
  /** Header names lower-cased: x-asterisk-*, x-vmsync-ref. */
  headers: z.record(z.string(), z.string()),
  /** The audio part as BODYSTRUCTURE describes it: `size` is in octets as transferred. */
  attachment: z
    .strictObject({
      filename: z.string(),
      size: z.number().int().nonnegative(),
      type: z.string(),
      encoding: z.string(),
    })
    .nullable(),
});
export type Notification = z.infer<typeof Notification>;

export const EmailChanged = z.strictObject({
  ref: EmailRef,
  phase: z.enum(['snapshot', 'change']),
  before: EmailState.nullable(),
  after: EmailState,
  notification: Notification,
  echoOf: z.string().min(1).nullable(),
});
export type EmailChanged = z.infer<typeof EmailChanged>;
