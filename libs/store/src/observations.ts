import type { PartTimes } from '@vmsync/events';
import type { Side } from './intents.js';
import type { Store } from './store.js';

export interface Observation<S> {
  state: S;
  /** When this state was observed (deployment clock). */
  observedAt: number;
  /**
   * When a user (not vmsync) last changed each part of this message (deletion, read);
   * "newer wins" compares the part a command is about.
   */
  userChangedAt: PartTimes;
}

/**
 * A watcher's last observation of each message, kept in Redis so a restarted watcher
 * publishes only real changes, and so the side's actuator can refuse a command that is
 * older than the user's latest change of its target (newer wins, DESIGN.md §3.3).
 */
export class ObservationLog<S> {
  constructor(
    private readonly store: Store,
    private readonly side: Side,
  ) {}

  #key(scope: string): string {
    return this.store.key('seen', this.side, scope);
  }

  async get(scope: string, messageKey: string): Promise<Observation<S> | null> {
    const raw = await this.store.redis.hget(this.#key(scope), messageKey);
    return raw === null ? null : (JSON.parse(raw) as Observation<S>);
  }

  async all(scope: string): Promise<Map<string, Observation<S>>> {
    const raw = await this.store.redis.hgetall(this.#key(scope));
    return new Map(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as Observation<S>]));
  }

  async put(scope: string, messageKey: string, observation: Observation<S>): Promise<void> {
    await this.store.redis.hset(this.#key(scope), messageKey, JSON.stringify(observation));
  }

  /** Several messages of one scope in one round trip. */
  async putMany(
    scope: string,
    entries: readonly (readonly [string, Observation<S>])[],
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.store.redis.hset(
      this.#key(scope),
      Object.fromEntries(entries.map(([k, v]) => [k, JSON.stringify(v)])),
    );
  }

  async remove(scope: string, messageKey: string): Promise<void> {
    await this.store.redis.hdel(this.#key(scope), messageKey);
  }
}
