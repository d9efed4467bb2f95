import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentClock } from './deployment-clock.js';
import { Store } from './store.js';

const url = process.env.VMSYNC_REDIS_URL;
if (!url) throw new Error('VMSYNC_REDIS_URL is not set: start the stack (./vmsync stack up)');

describe('Store', () => {
  const prefix = `test-${randomUUID()}`;
  const store = new Store({ url, prefix });
  const other = new Store({ url, prefix: `${prefix}-other` });

  beforeAll(async () => {
    await store.connect();
    await other.connect();
  });
  afterAll(async () => {
    await store.redis.del(store.key('k'));
    await store.close();
    await other.close();
  });

  it('keeps each deployment in its own key prefix', async () => {
    await store.redis.set(store.key('k'), 'mine');
    expect(await store.redis.get(store.key('k'))).toBe('mine');
    expect(await other.redis.get(other.key('k'))).toBeNull();
  });

  it('reads time from Redis, close to Redis TIME and never backwards', async () => {
    const clock = new DeploymentClock(store.redis);
    await clock.start();
    const [s, us] = await store.redis.time();
    const redisNow = Number(s) * 1000 + Number(us) / 1000;
    const a = clock.now();
    const b = clock.now();
    clock.stop();
    expect(Math.abs(a - redisNow)).toBeLessThan(50);
    expect(b).toBeGreaterThan(a);
  });

  it('names the unreachable host without leaking the URL', async () => {
    const bad = new Store({ url: 'redis://:pw-secret@127.0.0.1:1', prefix });
    bad.redis.options.retryStrategy = () => null;
    await expect(bad.connect()).rejects.toThrow(/cannot connect to Redis at 127\.0\.0\.1:1$/);
    bad.redis.disconnect();
  });
});
