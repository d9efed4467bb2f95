import { describe, expect, it } from 'vitest';
import { ConnectGate } from './connect-gate.js';

describe('ConnectGate', () => {
  it('never runs more than its limit at once, and runs everything', async () => {
    const gate = new ConnectGate(3);
    let running = 0;
    let peak = 0;
    const done = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gate.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 1 + (i % 4)));
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('frees the slot of a failed attempt', async () => {
    const gate = new ConnectGate(1);
    await expect(gate.run(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});
