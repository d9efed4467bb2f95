import type { EmailState, Notification } from '@vmsync/events';

/**
 * What the email-watcher keeps per notification in the ObservationLog (scope: the
 * account): the state, and the notification itself so a purge (nothing left to read) can
 * still be published with it. The mail-actuator reads its `userChangedAt` (newer wins).
 */
export type ObservedEmail = EmailState & { notification: Notification };

/** The intent and observation key of one email: `<account>/<emailId>`. */
export function emailKey(account: string, emailId: string): string {
  return `${account.toLowerCase()}/${emailId}`;
}
