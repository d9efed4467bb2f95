import type { Store } from './store.js';

/** Which side a message lives on; each side's watcher and actuator share its intents. */
export type Side = 'voicemail' | 'email';

export interface Intent<S> {
  commandId: string;
  /** The fields the actuator is about to set, with their target values. */
  expect: Partial<S>;
  /** Deployment-clock time the intent was recorded. */
  at: number;
  /** Deployment-clock time the actuator saw its change take effect (markApplied). */
  appliedAt?: number;
}

/** Applied intents a look can judge, by message key; `undecided`: some were applied too late for it. */
export interface AppliedIntents<S> {
  decided: Map<string, Intent<S>[]>;
  undecided: boolean;
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

  #appliedKey(messageKey: string): string {
    return this.store.key('intent-applied', this.side, messageKey);
  }

  #scopeKey(scope: string): string {
    return this.store.key('intent-applied-in', this.side, scope);
  }

  async forget(messageKey: string, commandId: string): Promise<void> {
    await this.store.redis.hdel(this.#key(messageKey), commandId);
  }

  /**
   * The actuator saw its change take effect at `appliedAt`. A watcher's look that begins
   * later must find it, or a user undid it (missedChange); `scope` (the mailbox) lets the
   * watcher find such messages with one read per look.
   */
  async markApplied(
    scope: string,
    messageKey: string,
    commandId: string,
    appliedAt: number,
  ): Promise<void> {
    const key = this.#appliedKey(messageKey);
    const scopeKey = this.#scopeKey(scope);
    await this.store.redis
      .multi()
      .hset(key, commandId, String(appliedAt))
      .expire(key, this.ttlSeconds)
      .sadd(scopeKey, messageKey)
      .expire(scopeKey, this.ttlSeconds)
      .exec();
  }

  /**
   * The scope's pending intents that were applied before `cutoff` (a look begun after it
   * must reflect them), by message key. Messages with nothing pending leave the index.
   */
  async appliedBefore(scope: string, cutoff: number): Promise<AppliedIntents<S>> {
    const redis = this.store.redis;
    const scopeKey = this.#scopeKey(scope);
    const decided = new Map<string, Intent<S>[]>();
    let undecided = false;
    const members = await redis.smembers(scopeKey);
    for (const messageKey of members) {
      const [intents, applied] = await Promise.all([
        redis.hgetall(this.#key(messageKey)),
        redis.hgetall(this.#appliedKey(messageKey)),
      ]);
      const ready: Intent<S>[] = [];
      const orphans: string[] = [];
      for (const [commandId, at] of Object.entries(applied)) {
        const raw = intents[commandId];
        if (raw === undefined) {
          orphans.push(commandId); // its echo was seen and consumed before it was marked
          continue;
        }
        const intent: Intent<S> = { ...(JSON.parse(raw) as Intent<S>), appliedAt: Number(at) };
        if (Number(at) <= cutoff) ready.push(intent);
        else undecided = true;
      }
      if (ready.length > 0) decided.set(messageKey, ready);
      if (orphans.length > 0) await redis.hdel(this.#appliedKey(messageKey), ...orphans);
      // Leaves the index only if nothing was marked applied meanwhile.
      await redis.eval(
        "if redis.call('HLEN', KEYS[1]) == 0 then return redis.call('SREM', KEYS[2], ARGV[1]) end return 0",
        2,
        this.#appliedKey(messageKey),
        scopeKey,
        messageKey,
      );
    }
    return { decided, undecided };
  }

  /** Done with these intents (a look accounted for them). */
  async consume(messageKey: string, commandIds: readonly string[]): Promise<void> {
    if (commandIds.length === 0) return;
    await this.store.redis
      .multi()
      .hdel(this.#key(messageKey), ...commandIds)
      .hdel(this.#appliedKey(messageKey), ...commandIds)
      .exec();
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
    // So is every intent recorded before the newest one this change echoes: an actuator
    // works on one message's commands in order, so those were carried out and then
    // overtaken (ensure-saved then ensure-unheard, seen at once as deleted -> new); left
    // pending, the first would later swallow the user's own undelete (soak, seed 71960).
    const newest = Math.max(...[...used].map((i) => i.at));
    const overtaken = intents.filter((i) => i.at <= newest);
    const done = new Set([...used, ...fulfilled, ...overtaken].map((i) => i.commandId));
    await this.consume(messageKey, [...done]);
    return echoOf;
  }
}
