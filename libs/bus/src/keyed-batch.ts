import type { KafkaMessage } from 'kafkajs';
import type { Outcome } from './process-message.js';

/**
 * One fetched batch of a partition, handled with its keys in parallel: messages of one key
 * stay in order (one mailbox's commands), different keys run side by side, at most
 * `concurrency` at once. Returns the offset to commit: past the longest run of messages,
 * from the start of the batch, that all finished (handled or dead-lettered) — a message
 * abandoned on stop keeps every later offset uncommitted, and those are redelivered.
 */
export async function handleKeyedBatch(
  messages: readonly KafkaMessage[],
  concurrency: number,
  handle: (message: KafkaMessage) => Promise<Outcome>,
): Promise<string | null> {
  const chains = new Map<string, KafkaMessage[]>();
  for (const message of messages) {
    const key = message.key?.toString('utf8') ?? '';
    const chain = chains.get(key);
    if (chain) chain.push(message);
    else chains.set(key, [message]);
  }
  const finished = new Set<string>();
  const queue = [...chains.values()];
  const worker = async () => {
    for (let chain = queue.shift(); chain !== undefined; chain = queue.shift()) {
      for (const message of chain) {
        if ((await handle(message)) === 'abandoned') break;
        finished.add(message.offset);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  let commit: string | null = null;
  for (const message of messages) {
    if (!finished.has(message.offset)) break;
    commit = (BigInt(message.offset) + 1n).toString();
  }
  return commit;
}
