import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from './backoff.js';

const policy = { initialDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelay', () => {
  it('draws the whole range [0, cap) with full jitter', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0.999_999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
  });

  it('doubles the cap per retry up to maxDelayMs', () => {
    const caps = [1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, policy, () => 0.999_999));
    expect(caps).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('stays within bounds for any retry count, huge ones included', () => {
    for (const retry of [0, 1, 2, 10, 31, 1_000, Number.MAX_SAFE_INTEGER]) {
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(retry, policy);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(policy.maxDelayMs);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('spreads delays instead of synchronising retries', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, policy)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('sleep', () => {
  it('resolves true after the delay', async () => {
    await expect(sleep(5, new AbortController().signal)).resolves.toBe(true);
  });

  it('resolves false at once when aborted, before or during the wait', async () => {
    const before = new AbortController();
    before.abort();
    await expect(sleep(60_000, before.signal)).resolves.toBe(false);

    const during = new AbortController();
    const slept = sleep(60_000, during.signal);
    during.abort();
    await expect(slept).resolves.toBe(false);
  });
});
