import type { Store } from './store.js';

/** Which side a message lives on; each side's watcher and actuator share its intents. */
export type Side = 'voicemail' | 'email';

export interface Intent<S> {
  commandId: string;
  /** The fields the actuator is about to set, with their target values. */
  expect: Partial<S>;
  /** Deployment-clock time the intent was recorded. */
  at: number;
}

/**
 * Echo recognition (DESIGN.md §3.3). Before an actuator changes a message it records
 * what it is about to set; when the watcher later sees that message change, the change
 * is an echo if every field that changed took a value a pending intent expected. It is
 * recognised by content, not guessed from timing; the TTL only bounds how long an
 * intent whose change never showed up (e.g. the message vanished) is remembered.
 */
export class IntentLog<S extends object> {
  constructor(
    private readonly store: Store,
    private readonly side: Side,
    private readonly ttlSeconds = 600,
  ) {}

  #key(messageKey: string): string {
    return this.store.key('intent', this.side, messageKey);
  }

  async record(messageKey: string, intent: Intent<S>): Promise<void> {
    const key = this.#key(messageKey);
    await this.store.redis
      .multi()
      .hset(key, intent.commandId, JSON.stringify(intent))
      .expire(key, this.ttlSeconds)
      .exec();
  }

  async forget(messageKey: string, commandId: string): Promise<void> {
    await this.store.redis.hdel(this.#key(messageKey), commandId);
  }

  /**
   * Decides whether `before -> after` is (entirely) the echo of pending intents. Returns
   * the id of the command it echoes, consuming the intents it used, or null for a
   * change some user made (wholly or in part).
   */
  async matchEcho(messageKey: string, before: S | null, after: S): Promise<string | null> {
    if (before === null) return null;
    const key = this.#key(messageKey);
    const raw = await this.store.redis.hgetall(key);
    const intents = Object.values(raw).map((v) => JSON.parse(v) as Intent<S>);
    if (intents.length === 0) return null;
    const changed = (Object.keys(after) as (keyof S)[]).filter((f) => before[f] !== after[f]);
    if (changed.length === 0) return null;
    const used = new Set<Intent<S>>();
    for (const field of changed) {
      const explaining = intents.find((i) => field in i.expect && i.expect[field] === after[field]);
      if (!explaining) return null;
      used.add(explaining);
    }
    const echoOf = [...used].map((i) => i.commandId).sort()[0] ?? null;
    // Every intent the new state fulfils is done, not only those that explained a field:
    // a fulfilled intent left pending would later take a user's identical change for
    // an echo and swallow it (found by the soak: an undelete that never synced).
    const fulfilled = intents.filter((i) =>
      (Object.keys(i.expect) as (keyof S)[]).every((f) => i.expect[f] === after[f]),
    );
    const done = new Set([...used, ...fulfilled].map((i) => i.commandId));
    await this.store.redis.hdel(key, ...done);
    return echoOf;
  }
}
