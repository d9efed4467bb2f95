/**
 * A token bucket for IMAP logins (and token requests) of one process: after a restart or a
 * rebalance thousands of mailboxes want to connect at once; the IMAP server and Google's
 * token endpoint should see a steady rate instead of a burst.
 */
export class LoginLimiter {
  #tokens: number;
  #last: number;
  #queue: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('rate > 0 and burst >= 1');
    this.#tokens = burst;
    this.#last = now();
  }

  /** Resolves when a login may start; rejects if `signal` aborts while waiting. */
  take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.#refill();
    if (this.#queue.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#queue = this.#queue.filter((g) => g !== grant);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(grant);
      this.#schedule();
    });
  }

  #refill(): void {
    const t = this.now();
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + ((t - this.#last) / 1000) * this.ratePerSecond,
    );
    this.#last = t;
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const wait = Math.max(1, ((1 - this.#tokens) / this.ratePerSecond) * 1000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#refill();
      while (this.#queue.length > 0 && this.#tokens >= 1) {
        this.#tokens -= 1;
        this.#queue.shift()?.();
      }
      if (this.#queue.length > 0) this.#schedule();
    }, wait);
    this.#timer.unref();
  }
}
