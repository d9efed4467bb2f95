import { randomUUID } from 'node:crypto';
import { Store } from '@vmsync/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandLedger } from './command-ledger.js';

const url = process.env.VMSYNC_REDIS_URL;
if (!url) throw new Error('VMSYNC_REDIS_URL is not set: start the stack (./vmsync stack up)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CommandLedger', () => {
  const store = new Store({ url, prefix: `test-${randomUUID()}` });
  const mine = new CommandLedger(store, 'a', 60, 300);
  const other = new CommandLedger(store, 'b', 60, 300);
  beforeAll(() => store.connect());
  afterAll(() => store.close());

  it('keeps a claim alive while working, and lets the claim of a dead instance lapse soon', async () => {
    expect(await mine.claim('c1')).toBe('new');
    const stop = mine.keepClaim('c1');
    await sleep(700); // more than twice the claim's life
    expect(await other.claim('c1')).toBe('busy');
    stop(); // the instance died here: nobody renews
    await sleep(400);
    expect(await other.claim('c1')).toBe('new');
  });

  it('is done for good once completed: a redelivery is a duplicate', async () => {
    expect(await mine.claim('c2')).toBe('new');
    await mine.complete('c2', 'applied');
    expect(await other.claim('c2')).toBe('done');
    expect(await other.outcome('c2')).toBe('applied');
  });
});
