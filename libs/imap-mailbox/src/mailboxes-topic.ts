import { randomUUID } from 'node:crypto';
import type { Publisher } from '@vmsync/bus';
import {
  type EnvelopeOf,
  MailboxDeclared,
  parseEnvelopeOf,
  type TopicNames,
  userKey,
} from '@vmsync/events';
import { type Kafka, Partitioners } from 'kafkajs';

export { mailboxesTopicSpec } from '@vmsync/bus';

export interface MailboxDeclaration {
  account: string;
  /** The voicemail server whose voicemail.conf names the address. */
  server: string;
}

/**
 * Declares mailboxes to watch (the voicemail-watcher does, from voicemail.conf; tests and the
 * demo too). `observedAt`: the deployment clock's now, when the caller has one.
 */
export async function declareMailboxes(
  publisher: Publisher,
  topics: TopicNames,
  mailboxes: readonly MailboxDeclaration[],
  observedAt: number = Date.now(),
): Promise<void> {
  const items = mailboxes.map((m) => {
    const id = randomUUID();
    const envelope: EnvelopeOf<'mailbox-declared'> = {
      id,
      type: 'mailbox-declared',
      version: 1,
      observedAt,
      correlationId: id,
      causationId: null,
      payload: MailboxDeclared.parse({ account: m.account.toLowerCase(), server: m.server }),
    };
    return { key: userKey(m.account), envelope };
  });
  await publisher.publishBatch(topics.mailboxes, items);
}

/** Withdraws mailboxes: a tombstone per address (compaction then forgets it). */
export async function withdrawMailboxes(
  kafka: Kafka,
  topics: TopicNames,
  accounts: readonly string[],
): Promise<void> {
  // Same partitioner as the publisher: the tombstone lands on its declaration's partition.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic: topics.mailboxes,
      acks: -1,
      messages: accounts.map((a) => ({ key: userKey(a), value: null })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** A record of the mailboxes topic: a declaration, or a withdrawal (tombstone). */
export type MailboxRecord =
  | { account: string; declared: MailboxDeclared }
  | { account: string; declared: null };

/** Reads a record; null for one that is neither (it is logged and skipped by the caller). */
export function readMailboxRecord(key: Buffer | null, value: Buffer | null): MailboxRecord | null {
  if (value === null) {
    return key === null ? null : { account: key.toString('utf8'), declared: null };
  }
  try {
    const envelope = parseEnvelopeOf('mailbox-declared', value);
    return { account: userKey(envelope.payload.account), declared: envelope.payload };
  } catch {
    return null;
  }
}
