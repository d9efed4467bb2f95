import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.js';

describe('LoginLimiter', () => {
  it('lets a burst through at once, then paces at the rate', async () => {
    const limiter = new LoginLimiter(50, 3);
    const started = performance.now();
    for (let i = 0; i < 3; i++) await limiter.take();
    expect(performance.now() - started).toBeLessThan(15);
    for (let i = 0; i < 5; i++) await limiter.take();
    // 5 more at 50/s: about 100 ms
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
  });

  it('serves waiters in order and drops an aborted one', async () => {
    const limiter = new LoginLimiter(20, 1);
    await limiter.take();
    const order: number[] = [];
    const abort = new AbortController();
    const a = limiter.take().then(() => order.push(1));
    const b = limiter.take(abort.signal).then(
      () => order.push(2),
      () => order.push(-2),
    );
    const c = limiter.take().then(() => order.push(3));
    abort.abort();
    await Promise.all([a, b, c]);
    expect(order).toEqual([-2, 1, 3]);
  });
});
