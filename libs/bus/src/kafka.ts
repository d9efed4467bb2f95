import { Kafka, type RetryOptions, type SASLOptions } from 'kafkajs';
import { type KafkaLogLevel, kafkajsLevel, kafkajsLogCreator } from './kafka-log.js';
import { type BusLogger, silentLogger } from './logger.js';

export interface KafkaOptions {
  /** `host:port` list; use 127.0.0.1 rather than localhost (Node may try ::1 first). */
  brokers: readonly string[];
  clientId: string;
  logger?: BusLogger;
  /** What kafkajs itself logs; default `info`. */
  logLevel?: KafkaLogLevel;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  /** TLS (`true`: the system's CAs) and SASL, as kafkajs takes them. */
  ssl?: true | { ca: string[] };
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
}

/** One kafkajs client per process; producers, consumers and admins are made from it. */
export function createKafka(options: KafkaOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: kafkajsLevel(options.logLevel ?? 'info'),
    logCreator: kafkajsLogCreator(options.logger ?? silentLogger),
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    ...(options.sasl === undefined ? {} : ({ sasl: options.sasl } as { sasl: SASLOptions })),
  });
}
