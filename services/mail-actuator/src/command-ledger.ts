import type { Store } from '@vmsync/store';

export type Claim = 'new' | 'done' | 'busy';

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Which commands were applied (`cmd:mail:<commandId>`): SET NX claims a command for the
 * time it is worked on, success records it done for `ttlSeconds`. A redelivered or
 * duplicated command then is a no-op; one a crashed instance left half-done is claimable
 * again once its short claim expires.
 */
export class CommandLedger {
  constructor(
    private readonly store: Store,
    private readonly instance: string,
    private readonly ttlSeconds: number,
    /** Short, renewed while working (keepClaim): a killed instance's claim soon lapses. */
    private readonly claimMs = 8_000,
  ) {}

  /** Renews this instance's claim every third of its life until the returned stop(). */
  keepClaim(commandId: string): () => void {
    const timer = setInterval(() => {
      this.store.redis
        .eval(RENEW, 1, this.#key(commandId), `pending:${this.instance}`, String(this.claimMs))
        .catch(() => undefined);
    }, this.claimMs / 3);
    timer.unref();
    return () => clearInterval(timer);
  }

  #key(commandId: string): string {
    return this.store.key('cmd', 'mail', commandId);
  }

  async claim(commandId: string): Promise<Claim> {
    const key = this.#key(commandId);
    const ok = await this.store.redis.set(
      key,
      `pending:${this.instance}`,
      'PX',
      this.claimMs,
      'NX',
    );
    if (ok === 'OK') return 'new';
    const value = await this.store.redis.get(key);
    if (value === null) return this.claim(commandId);
    return value.startsWith('done:') ? 'done' : 'busy';
  }

  async complete(commandId: string, outcome: string): Promise<void> {
    await this.store.redis.set(this.#key(commandId), `done:${outcome}`, 'EX', this.ttlSeconds);
  }

  /** Gives the claim back after a failure, so a retry may take it at once. */
  async release(commandId: string): Promise<void> {
    await this.store.redis.eval(RELEASE, 1, this.#key(commandId), `pending:${this.instance}`);
  }

  async outcome(commandId: string): Promise<string | null> {
    const value = await this.store.redis.get(this.#key(commandId));
    return value?.startsWith('done:') ? value.slice('done:'.length) : null;
  }
}
