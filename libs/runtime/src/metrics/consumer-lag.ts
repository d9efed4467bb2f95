import type { Kafka } from '@vmsync/bus';
import type { Logger } from '@vmsync/telemetry';
import type { Gauge } from 'prom-client';

export interface PartitionEnds {
  partition: number;
  low: string;
  high: string;
}

/**
 * Messages a group has still to handle on one topic: per partition, the high watermark
 * minus the committed offset (a partition never committed counts from its low watermark,
 * as a new group reading from the beginning does).
 */
export function topicLag(
  ends: readonly PartitionEnds[],
  committed: ReadonlyMap<number, string>,
): number {
  let lag = 0n;
  for (const { partition, low, high } of ends) {
    const at = committed.get(partition);
    const from = at === undefined || BigInt(at) < 0n ? BigInt(low) : BigInt(at);
    if (BigInt(high) > from) lag += BigInt(high) - from;
  }
  return Number(lag);
}

export interface ConsumerLagOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  intervalMs: number;
  /** Caught up = a measure at or below this. */
  maxLag: number;
  gauge: Gauge<'group' | 'topic'>;
  logger: Logger;
}

/**
 * Measures a consumer group's lag from the broker (committed offsets against the high
 * watermarks) every `intervalMs`, into a gauge; and says whether the service is ready:
 * Kafka answered recently and the group has caught up at least once since start.
 */
export class ConsumerLag {
  #timer: NodeJS.Timeout | undefined;
  #admin: ReturnType<Kafka['admin']> | undefined;
  #lastOk = 0;
  #caughtUp = false;
  #last: string = 'lag not measured yet';

  constructor(private readonly o: ConsumerLagOptions) {}

  start(): void {
    const tick = () => {
      void this.measure().finally(() => {
        this.#timer = setTimeout(tick, this.o.intervalMs);
        this.#timer.unref();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#admin?.disconnect().catch(() => undefined);
  }

  ready(): true | string {
    if (Date.now() - this.#lastOk > 3 * this.o.intervalMs + 1_000) return this.#last;
    return this.#caughtUp ? true : this.#last;
  }

  async measure(): Promise<number | undefined> {
    const { groupId, topics, gauge } = this.o;
    try {
      if (this.#admin === undefined) {
        const admin = this.o.kafka.admin();
        await admin.connect();
        this.#admin = admin;
      }
      const offsets = await this.#admin.fetchOffsets({ groupId, topics: [...topics] });
      let total = 0;
      for (const topic of topics) {
        const ends = await this.#admin.fetchTopicOffsets(topic);
        const mine = offsets.find((o) => o.topic === topic)?.partitions ?? [];
        const lag = topicLag(ends, new Map(mine.map((p) => [p.partition, p.offset])));
        gauge.set({ group: groupId, topic }, lag);
        total += lag;
      }
      this.#lastOk = Date.now();
      if (total <= this.o.maxLag) this.#caughtUp = true;
      this.#last = `catching up: ${total} messages behind (ready at ${this.o.maxLag})`;
      return total;
    } catch (error) {
      this.#last = `cannot measure the consumer lag: ${(error as Error).message}`;
      this.o.logger.warn({ groupId, err: (error as Error).message }, 'lag measure failed');
      return undefined;
    }
  }
}
