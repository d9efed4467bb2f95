import { describe, expect, it } from 'vitest';
import { defaultMailboxRetry, retryDelay } from './retry-policy.js';

describe('retryDelay', () => {
  it('doubles per attempt up to the cap, with half of each step jittered', () => {
    const lo = () => 0;
    const hi = () => 1;
    expect(retryDelay('transient', 1, defaultMailboxRetry, lo)).toBe(500);
    expect(retryDelay('transient', 1, defaultMailboxRetry, hi)).toBe(1_000);
    expect(retryDelay('transient', 4, defaultMailboxRetry, hi)).toBe(8_000);
    expect(retryDelay('transient', 40, defaultMailboxRetry, hi)).toBe(300_000);
  });

  it('waits long for admin action and throttling: never a hot loop', () => {
    expect(retryDelay('admin', 1, defaultMailboxRetry, () => 0)).toBe(30_000);
    expect(retryDelay('admin', 10, defaultMailboxRetry, () => 1)).toBe(30 * 60_000);
    expect(retryDelay('throttled', 1, defaultMailboxRetry, () => 0)).toBe(30_000);
  });
});
