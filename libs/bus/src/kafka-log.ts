import { type logCreator, logLevel } from 'kafkajs';
import type { BusLogger } from './logger.js';

/**
 * kafkajs logs an ERROR for every error response, even the ones it retries itself
 * (a group coordinator still loading, a leader moving). Those come from the
 * connection and broker-pool layers and are warnings to us; what is left at ERROR
 * (a consumer crash, a handler error escaping) stays an error.
 */
const RETRIED_BY_KAFKAJS = new Set(['Connection', 'BrokerPool']);

/** Set on the idempotent producer on purpose (see publisher.ts); not worth a warning each boot. */
const EXPECTED = /^Limiting retries for the idempotent producer/;

export type KafkaLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'nothing';

export function kafkajsLevel(level: KafkaLogLevel): logLevel {
  switch (level) {
    case 'debug':
      return logLevel.DEBUG;
    case 'info':
      return logLevel.INFO;
    case 'warn':
      return logLevel.WARN;
    case 'error':
      return logLevel.ERROR;
    case 'nothing':
      return logLevel.NOTHING;
  }
}

export function routedLevel(
  level: logLevel,
  namespace: string,
  message: string,
): keyof BusLogger | null {
  if (EXPECTED.test(message)) return 'debug';
  switch (level) {
    case logLevel.ERROR:
      return RETRIED_BY_KAFKAJS.has(namespace) ? 'warn' : 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    case logLevel.DEBUG:
      return 'debug';
    default:
      return null;
  }
}

/** Sends kafkajs's own log lines to the service's logger instead of stdout. */
export function kafkajsLogCreator(logger: BusLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const to = routedLevel(level, namespace, message);
      if (to !== null) logger[to]({ kafkajs: namespace, ...fields }, message);
    };
}
