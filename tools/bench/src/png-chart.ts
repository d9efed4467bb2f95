/**
 * A tiny PNG writer and line chart for benchmark figures: RGB pixels in a buffer, a 3x5
 * bitmap font, deflate from node:zlib and CRC-32 computed here. No native modules.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG chunks use it). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An 8-bit RGB PNG of `rgb` (width * height * 3 bytes, row by row). */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (rgb.length !== width * height * 3) throw new Error('rgb buffer does not match the size');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  // compression, filter, interlace: 0
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(
      raw,
      y * (width * 3 + 1) + 1,
    );
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export type Rgb = readonly [number, number, number];

// 3x5 glyphs, one string of 15 bits per character (rows top to bottom).
const FONT: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001001010010',
  '8': '111101111101111',
  '9': '111101111001111',
  A: '010101111101101',
  B: '110101110101110',
  C: '011100100100011',
  D: '110101101101110',
  E: '111100110100111',
  F: '111100110100100',
  G: '011100101101011',
  H: '101101111101101',
  I: '111010010010111',
  J: '001001001101010',
  K: '101101110101101',
  L: '100100100100111',
  M: '101111111101101',
  N: '110101101101101',
  O: '010101101101010',
  P: '110101110100100',
  Q: '010101101110011',
  R: '110101110101101',
  S: '011100010001110',
  T: '111010010010010',
  U: '101101101101111',
  V: '101101101101010',
  W: '101101111111101',
  X: '101101010101101',
  Y: '101101010010010',
  Z: '111001010100111',
  ' ': '000000000000000',
  '.': '000000000000010',
  ',': '000000000010100',
  '/': '001001010100100',
  '-': '000000111000000',
  '>': '100010001010100',
  '<': '001010100010001',
  '%': '101001010100101',
  ':': '000010000010000',
  '=': '000111000111000',
  '(': '010100100100010',
  ')': '010001001001010',
  '+': '000010111010000',
};

/** A white RGB canvas with the few drawing operations a chart needs. */
export class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, [r, g, b]: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const i = (yi * this.width + xi) * 3;
    this.pixels[i] = r;
    this.pixels[i + 1] = g;
    this.pixels[i + 2] = b;
  }

  rect(x: number, y: number, w: number, h: number, colour: Rgb): void {
    for (let yy = Math.round(y); yy < Math.round(y + h); yy++)
      for (let xx = Math.round(x); xx < Math.round(x + w); xx++) this.set(xx, yy, colour);
  }

  /** A line `thickness` pixels wide; `dash` > 0 draws dash-long pieces with gaps. */
  line(x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 1, dash = 0) {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const half = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      if (dash > 0 && Math.floor(s / dash) % 2 === 1) continue;
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      this.rect(x - half, y - half, thickness, thickness, colour);
    }
  }

  /** Text in the 3x5 font at `scale` (unknown characters are drawn blank). */
  text(x: number, y: number, text: string, colour: Rgb, scale = 2): void {
    let cx = x;
    for (const ch of text.toUpperCase()) {
      const glyph = FONT[ch] ?? FONT[' '];
      for (let row = 0; row < 5; row++)
        for (let col = 0; col < 3; col++)
          if (glyph?.[row * 3 + col] === '1')
            this.rect(cx + col * scale, y + row * scale, scale, scale, colour);
      cx += 4 * scale;
    }
  }

  static textWidth(text: string, scale = 2): number {
    return text.length * 4 * scale - scale;
  }

  png(): Buffer {
    return encodePng(this.width, this.height, this.pixels);
  }
}

export interface Series {
  label: string;
  colour: Rgb;
  values: readonly number[];
}

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

/**
 * A CDF chart (x: value, y: share of samples <= x) of each series, with optional
 * vertical marker lines (e.g. targets). Returns the PNG.
 */
export function cdfChart(options: {
  title: string;
  xLabel: string;
  series: readonly Series[];
  markers?: readonly { at: number; label: string }[];
  xMax?: number;
  width?: number;
  height?: number;
}): Buffer {
  const width = options.width ?? 900;
  const height = options.height ?? 520;
  const c = new Canvas(width, height);
  const black: Rgb = [0, 0, 0];
  const grey: Rgb = [215, 215, 215];
  const left = 70;
  const right = width - 30;
  const top = 60;
  const bottom = height - 60;
  const all = options.series.flatMap((s) => s.values);
  const dataMax = all.length > 0 ? Math.max(...all) : 1;
  const xMax = options.xMax ?? Math.max(1, dataMax);
  const step = niceStep(xMax, 8);
  const xEnd = Math.ceil(xMax / step) * step;
  const px = (v: number) => left + (Math.min(v, xEnd) / xEnd) * (right - left);
  const py = (share: number) => bottom - share * (bottom - top);

  c.text(left, 18, options.title, black, 3);
  for (let v = 0; v <= xEnd + step / 2; v += step) {
    c.line(px(v), top, px(v), bottom, grey);
    const label = String(Math.round(v * 100) / 100);
    c.text(px(v) - Canvas.textWidth(label) / 2, bottom + 8, label, black);
  }
  for (let p = 0; p <= 100; p += 10) {
    c.line(left, py(p / 100), right, py(p / 100), grey);
    const label = `${p}%`;
    c.text(left - 8 - Canvas.textWidth(label), py(p / 100) - 5, label, black);
  }
  c.text(
    (left + right) / 2 - Canvas.textWidth(options.xLabel) / 2,
    bottom + 32,
    options.xLabel,
    black,
  );
  for (const m of options.markers ?? []) {
    if (m.at > xEnd) continue;
    c.line(px(m.at), top, px(m.at), bottom, [200, 60, 60], 1, 4);
    const labelX =
      px(m.at) + 4 + Canvas.textWidth(m.label) > right
        ? px(m.at) - 4 - Canvas.textWidth(m.label)
        : px(m.at) + 4;
    c.text(labelX, top + 4, m.label, [200, 60, 60]);
  }
  c.line(left, top, left, bottom, black);
  c.line(left, bottom, right, bottom, black);

  let legendY = bottom - 20 - 18 * options.series.length;
  for (const s of options.series) {
    const sorted = [...s.values].sort((a, b) => a - b);
    let prevX = px(0);
    let prevY = py(0);
    sorted.forEach((v, i) => {
      const x = px(v);
      const y = py((i + 1) / sorted.length);
      c.line(prevX, prevY, x, prevY, s.colour, 2);
      c.line(x, prevY, x, y, s.colour, 2);
      prevX = x;
      prevY = y;
    });
    if (sorted.length > 0) c.line(prevX, prevY, right, prevY, s.colour, 2);
    c.rect(right - 300, legendY + 3, 16, 4, s.colour);
    c.text(right - 278, legendY, `${s.label} (N=${sorted.length})`, black);
    legendY += 18;
  }
  return c.png();
}
