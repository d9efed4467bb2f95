export interface RetryPolicy {
  /** Handler attempts in all, the first included; 1 means never retry. */
  maxAttempts: number;
  /** Cap of the first retry's delay; doubles per attempt. */
  initialDelayMs: number;
  /** Cap of any one delay. */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
};

/**
 * Exponential backoff with full jitter (a uniform draw in [0, cap]): retries of many
 * consumers hit by one outage spread out instead of arriving in waves. `retry` counts
 * from 1 (the delay before the second attempt).
 */
export function backoffDelay(
  retry: number,
  policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(retry - 1, 0), 30);
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  return Math.floor(random() * cap);
}

/** Resolves after `ms`, or at once (false) when the signal aborts; true when it slept. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (slept: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(slept);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
