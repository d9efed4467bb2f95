import { describe, expect, it } from 'vitest';
import { deadLetterHeaders, decodeHeaders, Header, headerValue } from './headers.js';

describe('headerValue', () => {
  it('reads Buffers, strings and repeated headers (first value wins)', () => {
    const headers = {
      a: Buffer.from('bytes'),
      b: 'text',
      c: [Buffer.from('first'), 'second'],
      d: undefined,
    };
    expect(headerValue(headers, 'a')).toBe('bytes');
    expect(headerValue(headers, 'b')).toBe('text');
    expect(headerValue(headers, 'c')).toBe('first');
    expect(headerValue(headers, 'd')).toBeUndefined();
    expect(headerValue(headers, 'missing')).toBeUndefined();
    expect(headerValue(undefined, 'a')).toBeUndefined();
  });

  it('decodes UTF-8', () => {
    expect(headerValue({ x: Buffer.from('Zoë ✓', 'utf8') }, 'x')).toBe('Zoë ✓');
  });
});

describe('decodeHeaders', () => {
  it('turns wire headers into plain strings and drops empty entries', () => {
    expect(decodeHeaders({ a: Buffer.from('1'), b: ['2', '3'], c: undefined })).toEqual({
      a: '1',
      b: '2',
    });
  });
});

describe('deadLetterHeaders', () => {
  const info = {
    topic: 'mail-commands',
    partition: 3,
    offset: '41',
    groupId: 'mail-actuator',
    code: 'EVENT_INVALID',
    message: 'message is not JSON',
    failedAt: new Date('2026-01-02T03:04:05.678Z'),
    attempts: 0,
  };

  it('keeps the original headers and adds where and why it failed', () => {
    const headers = deadLetterHeaders(
      { traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01') },
      info,
    );
    expect(headers).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      [Header.dlqTopic]: 'mail-commands',
      [Header.dlqPartition]: '3',
      [Header.dlqOffset]: '41',
      [Header.dlqGroup]: 'mail-actuator',
      [Header.dlqErrorCode]: 'EVENT_INVALID',
      [Header.dlqErrorMessage]: 'message is not JSON',
      [Header.dlqFailedAt]: '2026-01-02T03:04:05.678Z',
      [Header.dlqAttempts]: '0',
    });
  });

  it('overrides DLQ headers a re-published record already carried', () => {
    const headers = deadLetterHeaders({ [Header.dlqOffset]: '7' }, info);
    expect(headers[Header.dlqOffset]).toBe('41');
  });

  it('truncates a huge error message', () => {
    const headers = deadLetterHeaders(undefined, { ...info, message: 'x'.repeat(10_000) });
    expect(headers[Header.dlqErrorMessage]?.length).toBe(2_001);
  });
});
