import type { Redis } from 'ioredis';

/**
 * The deployment's one clock (DESIGN.md §3.3): Redis TIME, shared by every host, so
 * observation times from different watchers can be compared. To keep a Redis round trip
 * off every observation, the offset between this host's monotonic clock and Redis TIME
 * is measured (midpoint of the round trip) and refreshed periodically; `now()` is then
 * local arithmetic. A result never goes backwards.
 */
export class DeploymentClock {
  #offsetMs = 0;
  #last = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly redis: Redis) {}

  async sync(): Promise<void> {
    const sentAt = performance.now();
    const [seconds, micros] = await this.redis.time();
    const receivedAt = performance.now();
    const serverMs = Number(seconds) * 1000 + Number(micros) / 1000;
    this.#offsetMs = serverMs - (sentAt + receivedAt) / 2;
  }

  /** Syncs now and then every `intervalMs`, until stop(). */
  async start(intervalMs = 30_000): Promise<void> {
    await this.sync();
    this.#timer = setInterval(() => void this.sync().catch(() => undefined), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Milliseconds since the epoch on the deployment clock, strictly increasing. */
  now(): number {
    const t = performance.now() + this.#offsetMs;
    this.#last = t > this.#last ? t : this.#last + 0.001;
    return this.#last;
  }
}
