import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { handleKeyedBatch } from './keyed-batch.js';

const msg = (offset: number, key: string) =>
  ({ offset: String(offset), key: Buffer.from(key), value: null }) as unknown as KafkaMessage;
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('handleKeyedBatch', () => {
  it('keeps each key in order, runs keys side by side, and commits past the batch', async () => {
    const batch = [msg(10, 'a'), msg(11, 'b'), msg(12, 'a'), msg(13, 'c'), msg(14, 'b')];
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const commit = await handleKeyedBatch(batch, 8, async (m) => {
      running++;
      peak = Math.max(peak, running);
      await tick(m.key?.toString() === 'a' ? 20 : 5);
      order.push(`${m.key}${m.offset}`);
      running--;
      return 'handled';
    });
    expect(commit).toBe('15');
    expect(peak).toBe(3);
    expect(order.filter((x) => x.startsWith('a'))).toEqual(['a10', 'a12']);
    expect(order.filter((x) => x.startsWith('b'))).toEqual(['b11', 'b14']);
  });

  it('never runs more keys at once than allowed', async () => {
    const batch = Array.from({ length: 30 }, (_, i) => msg(i, `k${i}`));
    let running = 0;
    let peak = 0;
    await handleKeyedBatch(batch, 4, async () => {
      running++;
      peak = Math.max(peak, running);
      await tick(2);
      running--;
      return 'handled';
    });
    expect(peak).toBe(4);
  });

  it('commits only up to the first message abandoned on stop; later ones are redelivered', async () => {
    const batch = [msg(1, 'a'), msg(2, 'b'), msg(3, 'a'), msg(4, 'c')];
    const commit = await handleKeyedBatch(batch, 8, async (m) =>
      m.offset === '2' ? 'abandoned' : 'handled',
    );
    expect(commit).toBe('2'); // offset 1 done; 2 abandoned, so 3 and 4 come again
  });

  it('commits nothing when the first message is abandoned', async () => {
    expect(await handleKeyedBatch([msg(7, 'a')], 2, async () => 'abandoned')).toBeNull();
  });

  it('reports the finished run as it grows, in order, so a crash redelivers only the rest', async () => {
    const batch = [msg(1, 'a'), msg(2, 'b'), msg(3, 'a'), msg(4, 'c')];
    const commits: string[] = [];
    await handleKeyedBatch(
      batch,
      8,
      async (m) => {
        await tick(m.key?.toString() === 'b' ? 20 : 1);
        return 'handled';
      },
      async (offset) => void commits.push(offset),
    );
    // 1 finishes first; 2 (slow) holds the run at 2 until it is done, then 3 and 4 follow
    expect(commits[0]).toBe('2');
    expect(commits.at(-1)).toBe('5');
    expect([...commits].sort((x, y) => Number(x) - Number(y))).toEqual(commits);
  });
});
