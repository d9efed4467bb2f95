import type { IHeaders } from 'kafkajs';

/** Header names vmsync sets on bus messages. Values are UTF-8 strings. */
export const Header = {
  type: 'vmsync-type',
  id: 'vmsync-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  dlqTopic: 'vmsync-dlq-topic',
  dlqPartition: 'vmsync-dlq-partition',
  dlqOffset: 'vmsync-dlq-offset',
  dlqGroup: 'vmsync-dlq-group',
  dlqErrorCode: 'vmsync-dlq-error-code',
  dlqErrorMessage: 'vmsync-dlq-error-message',
  dlqFailedAt: 'vmsync-dlq-failed-at',
  dlqAttempts: 'vmsync-dlq-attempts',
} as const;

/**
 * One header as a string. kafkajs hands headers in as Buffers (repeated keys as
 * arrays); a repeated header yields its first value, like W3C's `traceparent` rule.
 */
export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** Headers off the wire as plain strings (for carriers and copying), first value per key. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerValue(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Headers have no length limit in Kafka, but a DLQ record should stay readable. */
const MAX_ERROR_MESSAGE = 2_000;

export interface DeadLetterInfo {
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  code: string;
  message: string;
  failedAt: Date;
  attempts: number;
}

/**
 * The original headers (trace context included, so the DLQ record stays in its trace)
 * plus where the message came from and why it failed.
 */
export function deadLetterHeaders(
  original: IHeaders | undefined,
  info: DeadLetterInfo,
): Record<string, string> {
  const message =
    info.message.length > MAX_ERROR_MESSAGE
      ? `${info.message.slice(0, MAX_ERROR_MESSAGE)}…`
      : info.message;
  return {
    ...decodeHeaders(original),
    [Header.dlqTopic]: info.topic,
    [Header.dlqPartition]: String(info.partition),
    [Header.dlqOffset]: info.offset,
    [Header.dlqGroup]: info.groupId,
    [Header.dlqErrorCode]: info.code,
    [Header.dlqErrorMessage]: message,
    [Header.dlqFailedAt]: info.failedAt.toISOString(),
    [Header.dlqAttempts]: String(info.attempts),
  };
}
