import { VmsyncError } from '@vmsync/errors';
import { serializeEnvelope } from '@vmsync/events';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { DeadLetterWriter } from './dead-letter.js';
import type { Handler } from './handler.js';
import type { DeadLetterEvent, RetryEvent } from './hooks.js';
import { silentLogger } from './logger.js';
import { processMessage } from './process-message.js';
import { voicemailChanged } from './test-support.js';

const at = { topic: 't', partition: 0, offset: '7' };

function record(value: Buffer | null): KafkaMessage {
  return { key: Buffer.from('k'), value, timestamp: '0', attributes: 0, offset: '7', headers: {} };
}

function setup(handler: Handler, options: { dlqFails?: boolean } = {}) {
  const stopping = new AbortController();
  const dead: Array<{ code: string; attempts: number }> = [];
  const retries: RetryEvent[] = [];
  const deadEvents: DeadLetterEvent[] = [];
  const deadLetter: DeadLetterWriter = {
    connect: async () => {},
    disconnect: async () => {},
    // A failing DLQ write resolves false once stop aborts it (see dead-letter.ts).
    write: async (_at, _message, failure) => {
      if (options.dlqFails) return false;
      dead.push({ code: failure.code, attempts: failure.attempts });
      return true;
    },
  };
  const deps = {
    handler,
    types: undefined,
    retry: { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 2 },
    deadLetter,
    logger: silentLogger,
    hooks: {
      onRetry: (e: RetryEvent) => retries.push(e),
      onDeadLetter: (e: DeadLetterEvent) => deadEvents.push(e),
    },
    stopping: stopping.signal,
  };
  const run = (value: Buffer | null = serializeEnvelope(voicemailChanged('e1'))) =>
    processMessage(deps, at, record(value), async () => {});
  return { run, dead, retries, deadEvents, stopping };
}

const retriable = () => new VmsyncError('IMAP_UNAVAILABLE', 'imap down', { retriable: true });

describe('processMessage', () => {
  it('hands the parsed envelope to the handler', async () => {
    const seen: unknown[] = [];
    const { run } = setup(async (envelope, ctx) => {
      seen.push([envelope, ctx.attempt, ctx.key]);
    });
    await expect(run()).resolves.toBe('handled');
    expect(seen).toEqual([[voicemailChanged('e1'), 1, 'k']]);
  });

  it('retries a retriable error in place, then succeeds once', async () => {
    let calls = 0;
    const { run, retries, dead } = setup(async () => {
      calls++;
      if (calls < 3) throw retriable();
    });
    await expect(run()).resolves.toBe('handled');
    expect(calls).toBe(3);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(dead).toEqual([]);
  });

  it('dead-letters a non-retriable error at once', async () => {
    let calls = 0;
    const { run, dead, deadEvents } = setup(async () => {
      calls++;
      throw new VmsyncError('RULE_BROKEN', 'no');
    });
    await expect(run()).resolves.toBe('dead-lettered');
    expect(calls).toBe(1);
    expect(dead).toEqual([{ code: 'RULE_BROKEN', attempts: 1 }]);
    expect(deadEvents[0]?.reason).toBe('rejected');
  });

  it('dead-letters an unknown error (a bug) without retrying', async () => {
    const { run, dead } = setup(async () => {
      throw new TypeError('x is undefined');
    });
    await expect(run()).resolves.toBe('dead-lettered');
    expect(dead).toEqual([{ code: 'UNEXPECTED', attempts: 1 }]);
  });

  it('dead-letters when retries are exhausted', async () => {
    const { run, dead, deadEvents } = setup(async () => {
      throw retriable();
    });
    await expect(run()).resolves.toBe('dead-lettered');
    expect(dead).toEqual([{ code: 'IMAP_UNAVAILABLE', attempts: 4 }]);
    expect(deadEvents[0]?.reason).toBe('exhausted');
  });

  it('dead-letters what does not parse, without calling the handler', async () => {
    let calls = 0;
    const { run, dead, deadEvents } = setup(async () => {
      calls++;
    });
    await expect(run(Buffer.from('{"not":"an envelope"}'))).resolves.toBe('dead-lettered');
    await expect(run(null)).resolves.toBe('dead-lettered');
    expect(calls).toBe(0);
    expect(dead.map((d) => d.code)).toEqual(['EVENT_INVALID', 'EVENT_INVALID']);
    expect(deadEvents[0]?.type).toBeNull();
  });

  it('abandons (no commit) a message whose retry is pending when stop begins', async () => {
    const { run, stopping } = setup(async () => {
      stopping.abort();
      throw retriable();
    });
    await expect(run()).resolves.toBe('abandoned');
  });

  it('abandons when the DLQ cannot be written before stop', async () => {
    const { run, stopping } = setup(
      async () => {
        stopping.abort();
        throw new VmsyncError('RULE_BROKEN', 'no');
      },
      { dlqFails: true },
    );
    await expect(run()).resolves.toBe('abandoned');
  });
});
