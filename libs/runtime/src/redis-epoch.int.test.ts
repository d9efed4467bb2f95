import { Store } from '@vmsync/store';
import { createLogger } from '@vmsync/telemetry';
import { afterAll, describe, expect, it } from 'vitest';
import { watchRedisEpoch } from './redis-epoch.js';

const url = process.env.VMSYNC_REDIS_URL;
if (!url) throw new Error('start the stack first: ./vmsync stack up');
const uniqueName = (b: string) =>
  `${b}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
async function waitFor(what: string, check: () => true | undefined, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (check() === undefined) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const logger = createLogger({ service: 'epoch-test', level: 'silent' });
const stores: Store[] = [];
afterAll(() => Promise.all(stores.map((s) => s.close())));

async function store(): Promise<Store> {
  const s = new Store({ url: url ?? '', prefix: uniqueName('epoch').toLowerCase() });
  await s.connect();
  stores.push(s);
  return s;
}

describe('watchRedisEpoch', () => {
  it('says nothing while the state is there; notices it gone, or replaced', async () => {
    const s = await store();
    let lost = 0;
    const stop = await watchRedisEpoch(s, logger, () => lost++, 50);
    const other = await watchRedisEpoch(s, logger, () => lost++, 50); // a second service
    await new Promise((r) => setTimeout(r, 300));
    expect(lost).toBe(0);
    await s.redis.del(s.key('epoch')); // Redis restarted empty
    await waitFor('both services to notice', () => (lost === 2 ? true : undefined), 5000);
    stop();
    other();

    const t = await store();
    let replaced = false;
    const stop2 = await watchRedisEpoch(
      t,
      logger,
      () => {
        replaced = true;
      },
      50,
    );
    await t.redis.set(t.key('epoch'), 'from-a-service-started-after-the-loss');
    await waitFor('the replaced epoch', () => (replaced ? true : undefined), 5000);
    stop2();
  });
});
