import { Topics } from '@vmsync/events';
import { type Kafka, type KafkaMessage, Partitioners, type Producer } from 'kafkajs';
import { backoffDelay, sleep } from './backoff.js';
import { deadLetterHeaders } from './headers.js';
import type { MessagePosition } from './hooks.js';
import { type BusLogger, errorFields } from './logger.js';

export interface DeadLetterWriter {
  connect(): Promise<void>;
  /**
   * Copies the message (key, value, headers untouched) to `<topic>.dlq` with its failure
   * in headers. Keeps trying while the DLQ cannot be written, since the source offset may
   * only be committed after this succeeds; resolves false if `signal` aborts first.
   */
  write(
    at: MessagePosition,
    message: KafkaMessage,
    failure: { code: string; message: string; attempts: number },
    signal: AbortSignal,
  ): Promise<boolean>;
  disconnect(): Promise<void>;
}

const RETRY = { initialDelayMs: 500, maxDelayMs: 30_000 };

export function createDeadLetterWriter(
  kafka: Kafka,
  groupId: string,
  logger: BusLogger,
): DeadLetterWriter {
  const producer: Producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5 },
  });

  async function write(
    at: MessagePosition,
    message: KafkaMessage,
    failure: { code: string; message: string; attempts: number },
    signal: AbortSignal,
  ): Promise<boolean> {
    const headers = deadLetterHeaders(message.headers, {
      ...at,
      groupId,
      ...failure,
      failedAt: new Date(),
    });
    const dlq = Topics.deadLetter(at.topic);
    for (let attempt = 1; ; attempt++) {
      try {
        await producer.send({
          topic: dlq,
          acks: -1,
          messages: [{ key: message.key, value: message.value, headers }],
        });
        return true;
      } catch (error) {
        const delayMs = backoffDelay(attempt, RETRY);
        logger.error(
          { ...at, dlq, attempt, delayMs, err: errorFields(error) },
          'cannot write to the dead-letter topic; the offset stays uncommitted, retrying',
        );
        if (!(await sleep(delayMs, signal))) return false;
      }
    }
  }

  return {
    connect: () => producer.connect(),
    write,
    disconnect: () => producer.disconnect(),
  };
}
