/**
 * A real PCM WAV as Asterisk's `wav` format stores it (8 kHz, 16-bit, mono RIFF): a
 * tone with a little seeded noise, so every message has its own bytes (and digest).
 */
export interface WavOptions {
  seconds: number;
  /** Same seed, same bytes. */
  seed?: number;
  frequencyHz?: number;
  sampleRate?: number;
}

export function makeWav(options: WavOptions): Buffer {
  const rate = options.sampleRate ?? 8000;
  const samples = Math.max(1, Math.round(options.seconds * rate));
  const random = mulberry32(options.seed ?? 1);
  const freq = options.frequencyHz ?? 350 + (((options.seed ?? 1) >>> 0) % 8) * 50;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const tone = Math.sin((2 * Math.PI * freq * i) / rate) * 8000;
    const noise = (random() - 0.5) * 1200;
    data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(tone + noise))), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // PCM fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Seconds of audio in a PCM WAV made by makeWav (its data chunk / byte rate). */
export function wavSeconds(wav: Buffer): number {
  if (wav.length < 44 || wav.toString('ascii', 0, 4) !== 'RIFF') return 0;
  return wav.readUInt32LE(40) / wav.readUInt32LE(28);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
