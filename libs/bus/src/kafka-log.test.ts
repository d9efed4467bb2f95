import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkajsLogCreator, routedLevel } from './kafka-log.js';

describe('routedLevel', () => {
  it('keeps levels, except errors kafkajs retries itself', () => {
    expect(routedLevel(logLevel.ERROR, 'Consumer', 'Crash: x')).toBe('error');
    expect(routedLevel(logLevel.ERROR, 'Connection', 'Response InitProducerId')).toBe('warn');
    expect(routedLevel(logLevel.WARN, 'Runner', 'rebalancing')).toBe('warn');
    expect(routedLevel(logLevel.INFO, 'Consumer', 'Starting')).toBe('info');
    expect(routedLevel(logLevel.DEBUG, 'Runner', 'x')).toBe('debug');
    expect(routedLevel(logLevel.NOTHING, 'Runner', 'x')).toBeNull();
  });

  it('quietens the warning about the bounded idempotent retries we chose', () => {
    const msg = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';
    expect(routedLevel(logLevel.WARN, 'Producer', msg)).toBe('debug');
  });
});

describe('kafkajsLogCreator', () => {
  it('hands the fields to the logger with the namespace, without kafkajs timestamps', () => {
    const lines: Array<[string, object, string]> = [];
    const logger = {
      debug: (o: object, m: string) => lines.push(['debug', o, m]),
      info: (o: object, m: string) => lines.push(['info', o, m]),
      warn: (o: object, m: string) => lines.push(['warn', o, m]),
      error: (o: object, m: string) => lines.push(['error', o, m]),
    };
    const log = kafkajsLogCreator(logger)(logLevel.INFO);
    log({
      namespace: 'Consumer',
      level: logLevel.INFO,
      label: 'INFO',
      log: { timestamp: 't', message: 'Starting', logger: 'kafkajs', groupId: 'g' },
    });
    expect(lines).toEqual([['info', { kafkajs: 'Consumer', groupId: 'g' }, 'Starting']]);
  });
});
