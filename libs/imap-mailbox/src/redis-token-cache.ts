import type { SharedTokenCache } from '@vmsync/mail-auth';
import type { Store } from '@vmsync/store';

/**
 * The deployment's access tokens in Redis, for every email-watcher and mail-actuator
 * process: sealed by the credential (mail-auth's TokenSeal), kept until they expire.
 */
export class RedisTokenCache implements SharedTokenCache {
  constructor(private readonly store: Store) {}

  #key(entry: string): string {
    return this.store.key('access-token', entry);
  }

  get(entry: string): Promise<string | null> {
    return this.store.redis.get(this.#key(entry));
  }

  async set(entry: string, value: string, ttlMs: number): Promise<void> {
    await this.store.redis.set(this.#key(entry), value, 'PX', Math.max(1, Math.floor(ttlMs)));
  }

  async delete(entry: string): Promise<void> {
    await this.store.redis.del(this.#key(entry));
  }
}
