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
  /**
   * Called as the finished run grows, with the offset to commit: a crash mid-batch then
   * redelivers only what was not done yet, as with one message at a time.
   */
  onProgress?: (offset: string) => Promise<void>,
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
  let done = 0; // messages[0..done) all finished
  let reported = Promise.resolve();
  const advance = () => {
    const before = done;
    while (done < messages.length && finished.has((messages[done] as KafkaMessage).offset)) done++;
    if (done === before || onProgress === undefined) return;
    const offset = (BigInt((messages[done - 1] as KafkaMessage).offset) + 1n).toString();
    // one after the other, so a later offset is never overtaken by an earlier one
    reported = reported.then(() => onProgress(offset));
  };
  const worker = async () => {
    for (let chain = queue.shift(); chain !== undefined; chain = queue.shift()) {
      for (const message of chain) {
        if ((await handle(message)) === 'abandoned') break;
        finished.add(message.offset);
        advance();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  await reported;
  return done === 0 ? null : (BigInt((messages[done - 1] as KafkaMessage).offset) + 1n).toString();
}
