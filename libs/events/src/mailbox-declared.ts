import { z } from 'zod';

/**
 * A mailbox vmsync should watch (DESIGN.md §5, §6): published by each voicemail-watcher
 * for the notification addresses in its voicemail.conf, keyed by address on the
 * compacted `mailboxes` topic, whose partitions are the email-watchers' shards. A
 * tombstone (null value) withdraws it.
 */
export const MailboxDeclared = z.strictObject({
  account: z.email(),
  /** The voicemail server whose voicemail.conf names this address. */
  server: z.string().min(1),
});
export type MailboxDeclared = z.infer<typeof MailboxDeclared>;
