import type { Store } from '@vmsync/store';

/**
 * Where vmsync stands with a mailbox, for operators (`HGETALL <deployment>:mailbox-status`)
 * and dashboards. `needs-admin-action` carries the message saying what to do.
 */
export type MailboxState =
  | 'connecting'
  | 'watching'
  | 'retrying'
  | 'throttled'
  | 'needs-admin-action'
  | 'no-credential';

export interface MailboxStatus {
  account: string;
  state: MailboxState;
  /** Error code of the last failure (MailAuthError / MailboxError codes), null when fine. */
  code: string | null;
  message: string | null;
  /** Epoch ms since the mailbox is in this state. */
  since: number;
  /** Consecutive failed attempts. */
  attempts: number;
  nextAttemptAt: number | null;
  /** The watcher instance that holds the mailbox. */
  instance: string;
}

/** One Redis hash, account -> status, shared by all watchers of a deployment. */
export class MailboxStatusStore {
  constructor(private readonly store: Store) {}

  #key(): string {
    return this.store.key('mailbox-status');
  }

  async put(status: MailboxStatus): Promise<void> {
    await this.store.redis.hset(this.#key(), status.account, JSON.stringify(status));
  }

  async get(account: string): Promise<MailboxStatus | null> {
    const raw = await this.store.redis.hget(this.#key(), account);
    return raw === null ? null : (JSON.parse(raw) as MailboxStatus);
  }

  async all(): Promise<MailboxStatus[]> {
    const raw = await this.store.redis.hgetall(this.#key());
    return Object.values(raw).map((v) => JSON.parse(v) as MailboxStatus);
  }

  async remove(account: string): Promise<void> {
    await this.store.redis.hdel(this.#key(), account);
  }
}
