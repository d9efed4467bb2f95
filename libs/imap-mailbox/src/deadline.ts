import { MailboxError } from './mailbox-error.js';

/**
 * Bounds IMAP work that could otherwise wait for the socket timeout (minutes) on a server
 * that stopped answering: after `ms`, `onExpire` runs (close the connection) and the work
 * fails with a retriable MAILBOX_TIMEOUT. The state stays unknown; nothing is inferred.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  onExpire: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onExpire();
      reject(
        new MailboxError('MAILBOX_TIMEOUT', `${what} took longer than ${ms} ms`, {
          retriable: true,
        }),
      );
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    // The work may still settle (reject) after the connection is closed: nobody waits for it.
    work.catch(() => undefined);
  }
}
