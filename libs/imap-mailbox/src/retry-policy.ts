import type { MailboxFailureKind } from './mailbox-error.js';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** How long a mailbox waits before trying again, per kind of failure. */
export interface MailboxRetryPolicy {
  transient: Backoff;
  throttled: Backoff;
  /** "Needs admin action": rare retries, in case someone fixed it; never a hot loop. */
  admin: Backoff;
}

export const defaultMailboxRetry: MailboxRetryPolicy = {
  transient: { initialMs: 1_000, maxMs: 5 * 60_000 },
  throttled: { initialMs: 60_000, maxMs: 15 * 60_000 },
  admin: { initialMs: 60_000, maxMs: 30 * 60_000 },
};

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half drawn at random, so
 * mailboxes failing together (a server restart) spread out yet never retry at once.
 * `attempt` counts consecutive failures of the same kind, from 1.
 */
export function retryDelay(
  kind: MailboxFailureKind,
  attempt: number,
  policy: MailboxRetryPolicy = defaultMailboxRetry,
  random: () => number = Math.random,
): number {
  const b =
    kind === 'admin' ? policy.admin : kind === 'throttled' ? policy.throttled : policy.transient;
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const cap = Math.min(b.maxMs, b.initialMs * 2 ** exponent);
  return Math.round(cap / 2 + random() * (cap / 2));
}
