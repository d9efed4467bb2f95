import { z } from 'zod';
import { EmailRef } from './email-changed.js';
import { VoicemailRef } from './voicemail-changed.js';

/** Every command is "make it so", never a toggle: applying it twice is applying it once. */
export const MailAction = z.enum(['ensure-read', 'ensure-unread', 'ensure-trash', 'ensure-inbox']);
export type MailAction = z.infer<typeof MailAction>;

export const VoicemailAction = z.enum([
  'ensure-heard',
  'ensure-unheard',
  'ensure-deleted',
  'ensure-saved',
]);
export type VoicemailAction = z.infer<typeof VoicemailAction>;

/**
 * The envelope's `observedAt` of a command is that of the change that caused it: the
 * actuator skips the command if its target changed after that (newer wins, DESIGN.md §3.3).
 */
export const MailCommand = z.strictObject({
  commandId: z.string().min(1),
  ref: EmailRef,
  action: MailAction,
});
export type MailCommand = z.infer<typeof MailCommand>;

export const VoicemailCommand = z.strictObject({
  commandId: z.string().min(1),
  ref: VoicemailRef,
  action: VoicemailAction,
});
export type VoicemailCommand = z.infer<typeof VoicemailCommand>;
