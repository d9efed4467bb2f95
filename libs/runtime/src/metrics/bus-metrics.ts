import type { BusHooks } from '@vmsync/bus';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * The bus's hooks as Prometheus metrics, the same in every service: what was published,
 * what was consumed and how it ended, retries, and the dead-letter topics.
 */
export function busMetrics(registry: Registry): BusHooks {
  const published = new Counter({
    name: 'vmsync_messages_published_total',
    help: 'Messages published to the bus, by topic',
    labelNames: ['topic'],
    registers: [registry],
  });
  const consumed = new Counter({
    name: 'vmsync_messages_consumed_total',
    help: 'Messages consumed, by envelope type and outcome (handled, dead-lettered)',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'vmsync_message_retries_total',
    help: 'Handler attempts that failed with a retriable error and were tried again',
    labelNames: ['type'],
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'vmsync_dead_letters_total',
    help: 'Messages sent to a dead-letter topic, by type and reason (invalid, rejected, exhausted)',
    labelNames: ['topic', 'type', 'reason'],
    registers: [registry],
  });
  const handleSeconds = new Histogram({
    name: 'vmsync_message_handle_seconds',
    help: 'Time to handle one consumed message, retries included',
    labelNames: ['type'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  return {
    onPublished: (e) => published.inc({ topic: e.topic }, e.count),
    onHandled: (e) => {
      consumed.inc({ type: e.type, outcome: 'handled' });
      handleSeconds.observe({ type: e.type }, e.durationMs / 1000);
    },
    onRetry: (e) => retries.inc({ type: e.type }),
    onDeadLetter: (e) => {
      const type = e.type ?? 'unreadable';
      consumed.inc({ type, outcome: 'dead-lettered' });
      deadLetters.inc({ topic: e.topic, type, reason: e.reason });
    },
  };
}
