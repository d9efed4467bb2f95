import type { Store } from '@vmsync/store';

/** What the fuse knows of one mailbox (a user's) when a deletion is judged. */
export interface MailboxFuseState {
  recentDeletions: number;
  mailboxSize: number;
  tripped: boolean;
  /** This message's deletion was let through before (a replay, the other side's snapshot). */
  alreadyAllowed: boolean;
}

/** A refused deletion, as an operator reads it (docs/reliability.md). */
export interface RefusedDeletion {
  at: number;
  user: string;
  reason: string;
  cause: string;
  phase: string;
  action: string;
  target: string;
  commandId: string;
  event: string;
}

const REFUSED_KEPT = 1000;

/**
 * The fuse's state in Redis, under the deployment's prefix (docs/reliability.md lists the
 * keys): live voicemails per user, the reconciliation deletions of the current window,
 * tripped mailboxes, and the last refused deletions.
 */
export class FuseStore {
  constructor(
    private readonly store: Store,
    private readonly windowS: number,
    private readonly holdS: number,
  ) {}

  #k(...parts: string[]): string {
    return this.store.key('rules', 'fuse', ...parts);
  }

  /** Keeps the per-user set of voicemails that are not purged (the share's denominator). */
  async voicemailSeen(user: string, key: string, live: boolean): Promise<void> {
    const set = this.#k('live', user);
    if (live)
      await this.store.redis
        .multi()
        .sadd(set, key)
        .expire(set, 90 * 24 * 3600)
        .exec();
    else await this.store.redis.srem(set, key);
  }

  async state(user: string, target: string, now: number): Promise<MailboxFuseState> {
    const recent = this.#k('recent', user);
    const result = await this.store.redis
      .multi()
      .zremrangebyscore(recent, '-inf', now - this.windowS * 1000)
      .zcard(recent)
      .scard(this.#k('live', user))
      .exists(this.#k('tripped', user))
      .zscore(recent, target)
      .exec();
    const value = (i: number) => result?.[i]?.[1];
    return {
      recentDeletions: Number(value(1) ?? 0),
      mailboxSize: Number(value(2) ?? 0),
      tripped: Number(value(3) ?? 0) > 0,
      alreadyAllowed: value(4) !== null && value(4) !== undefined,
    };
  }

  /** Counts one more message deleted by a reconciliation in this window (once per message). */
  async allowed(user: string, target: string, now: number): Promise<void> {
    const recent = this.#k('recent', user);
    await this.store.redis.multi().zadd(recent, now, target).expire(recent, this.windowS).exec();
  }

  async refused(r: RefusedDeletion, trips: boolean): Promise<void> {
    const list = this.#k('refused');
    const tx = this.store.redis
      .multi()
      .lpush(list, JSON.stringify(r))
      .ltrim(list, 0, REFUSED_KEPT - 1);
    if (trips) {
      const tripped = this.#k('tripped', r.user);
      tx.hset(tripped, { user: r.user, trippedAt: r.at, reason: r.reason, firstRefused: r.target })
        .expire(tripped, this.holdS)
        .zadd(this.#k('tripped'), r.at, r.user);
    }
    if (!trips && r.reason === 'tripped') tx.hincrby(this.#k('tripped', r.user), 'refusedSince', 1);
    await tx.exec();
  }
}
