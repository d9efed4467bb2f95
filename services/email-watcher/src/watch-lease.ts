import type { Store } from '@vmsync/store';

const ACQUIRE = `
local v = redis.call('GET', KEYS[1])
if v == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Fencing for mailbox ownership: the consumer group decides who should watch a mailbox,
 * this lease makes sure the previous owner has let go first (a rebalance hands partitions
 * over before the old owner has closed its connections; a member cut off from Kafka may
 * not know yet). Expires on its own when its holder dies.
 */
export class WatchLease {
  constructor(
    private readonly store: Store,
    private readonly instance: string,
    readonly ttlMs: number,
  ) {}

  #key(account: string): string {
    return this.store.key('lease', 'email-watch', account.toLowerCase());
  }

  /** Takes or renews the lease; false while another instance holds it. */
  async acquire(account: string): Promise<boolean> {
    const r = await this.store.redis.eval(
      ACQUIRE,
      1,
      this.#key(account),
      this.instance,
      this.ttlMs,
    );
    return r === 1;
  }

  async release(account: string): Promise<void> {
    await this.store.redis.eval(RELEASE, 1, this.#key(account), this.instance);
  }

  async holder(account: string): Promise<string | null> {
    return this.store.redis.get(this.#key(account));
  }
}
