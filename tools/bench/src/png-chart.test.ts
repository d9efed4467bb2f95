import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Canvas, cdfChart, crc32, encodePng, PNG_SIGNATURE } from './png-chart.js';

/** The chunks of a PNG, with each CRC checked. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    out.push({ type, data });
    at += 12 + length;
  }
  return out;
}

describe('png-chart', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
  });

  it('writes a valid PNG: signature, IHDR, IDAT, IEND', () => {
    const rgb = new Uint8Array(3 * 2 * 3);
    rgb.set([255, 0, 0], 0); // top-left red
    const png = encodePng(3, 2, rgb);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = cs[0]?.data as Buffer;
    expect(ihdr.readUInt32BE(0)).toBe(3);
    expect(ihdr.readUInt32BE(4)).toBe(2);
    expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
    const raw = inflateSync(cs[1]?.data as Buffer);
    expect(raw.length).toBe((3 * 3 + 1) * 2);
    expect([...raw.subarray(0, 4)]).toEqual([0, 255, 0, 0]);
    expect(cs[2]?.data.length).toBe(0);
  });

  it('rejects a pixel buffer of the wrong size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(5))).toThrow();
  });

  it('draws a chart as a PNG of the asked size', () => {
    const c = new Canvas(10, 10);
    c.line(0, 0, 9, 9, [0, 0, 0]);
    expect([...c.pixels.subarray(0, 3)]).toEqual([0, 0, 0]);
    const png = cdfChart({
      title: 'test',
      xLabel: 'ms',
      series: [{ label: 'a', colour: [0, 0, 255], values: [1, 2, 3, 50] }],
      markers: [{ at: 30, label: 'target' }],
      width: 200,
      height: 150,
    });
    const ihdr = chunks(png)[0]?.data as Buffer;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)]).toEqual([200, 150]);
  });
});
