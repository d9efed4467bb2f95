import { describe, expect, it } from 'vitest';
import { topicLag } from './consumer-lag.js';

const ends = [
  { partition: 0, low: '0', high: '10' },
  { partition: 1, low: '5', high: '8' },
  { partition: 2, low: '0', high: '0' },
];

describe('topicLag', () => {
  it('sums high watermark minus committed offset over partitions', () => {
    expect(
      topicLag(
        ends,
        new Map([
          [0, '7'],
          [1, '8'],
          [2, '0'],
        ]),
      ),
    ).toBe(3);
  });

  it('counts a partition never committed from its low watermark', () => {
    expect(topicLag(ends, new Map([[0, '-1']]))).toBe(10 + 3);
  });

  it('is zero when caught up, never negative', () => {
    expect(
      topicLag(
        ends,
        new Map([
          [0, '10'],
          [1, '9'],
          [2, '0'],
        ]),
      ),
    ).toBe(0);
  });
});
