import { describe, expect, it } from 'vitest';
import { idleRenewalFor, MAX_IDLE_RENEW_MS } from './idle-renewal.js';

describe('idleRenewalFor', () => {
  it('spreads connections over ±10 % of the configured interval, around it on average', () => {
    const configured = 24 * 60_000;
    expect(idleRenewalFor(configured, () => 0)).toBe(0.9 * configured);
    expect(idleRenewalFor(configured, () => 0.5)).toBe(configured);
    expect(idleRenewalFor(configured, () => 0.999_999)).toBeCloseTo(1.1 * configured, -1);
    const many = Array.from({ length: 1000 }, () => idleRenewalFor(configured));
    expect(new Set(many).size).toBeGreaterThan(900);
    const mean = many.reduce((a, b) => a + b, 0) / many.length;
    expect(Math.abs(mean - configured)).toBeLessThan(0.02 * configured);
  });

  it('never past the 29 minutes RFC 2177 allows', () => {
    expect(idleRenewalFor(MAX_IDLE_RENEW_MS, () => 0.99)).toBe(MAX_IDLE_RENEW_MS);
    expect(idleRenewalFor(28 * 60_000, () => 0.9)).toBe(MAX_IDLE_RENEW_MS);
  });
});
