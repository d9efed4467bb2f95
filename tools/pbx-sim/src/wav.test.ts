import { describe, expect, it } from 'vitest';
import { makeWav, wavSeconds } from './wav.js';

describe('makeWav', () => {
  it('writes an 8 kHz 16-bit mono PCM RIFF file', () => {
    const wav = makeWav({ seconds: 2, seed: 7 });
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.toString('ascii', 36, 40)).toBe('data');
    expect(wav.length).toBe(44 + 2 * 8000 * 2);
    expect(wavSeconds(wav)).toBe(2);
  });

  it('is deterministic per seed and different across seeds', () => {
    expect(makeWav({ seconds: 1, seed: 1 }).equals(makeWav({ seconds: 1, seed: 1 }))).toBe(true);
    expect(makeWav({ seconds: 1, seed: 1 }).equals(makeWav({ seconds: 1, seed: 2 }))).toBe(false);
  });

  it('carries a signal, not silence', () => {
    const wav = makeWav({ seconds: 1, seed: 3 });
    let peak = 0;
    for (let i = 44; i < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
    expect(peak).toBeGreaterThan(5000);
  });
});
