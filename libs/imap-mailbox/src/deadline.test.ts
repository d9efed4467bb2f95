import { describe, expect, it } from 'vitest';
import { withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it('passes a result through in time', async () => {
    expect(await withDeadline(Promise.resolve(7), 100, 'x', () => {})).toBe(7);
  });

  it('gives up after the deadline, closing, with a retriable timeout', async () => {
    let closed = false;
    const never = new Promise<number>(() => {});
    await expect(
      withDeadline(never, 20, 'a look', () => {
        closed = true;
      }),
    ).rejects.toMatchObject({ code: 'MAILBOX_TIMEOUT', retriable: true });
    expect(closed).toBe(true);
  });
});
