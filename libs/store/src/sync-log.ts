import type { Store } from './store.js';

/** One change vmsync carried over to the other side: what an operator asks "did it sync?". */
export interface SyncRecord {
  /** Deployment-clock ms when the other side was changed. */
  at: number;
  /** The side that was changed. */
  side: 'email' | 'voicemail';
  action: string;
  /** `account/emailId` or `server/mailbox/msgId`. */
  target: string;
  /** The user's address when the actuator knows it (the mail side always does). */
  user: string | null;
  /** Change observed on one side -> other side changed (vmsync's own latency). */
  latencyMs: number;
}

/** The newest records kept; older ones fall off (it is a window, not an audit log). */
const KEEP = 500;

/**
 * Recent syncs of a deployment in Redis, written by the actuators for the CLI's `status`
 * and the admin page: a capped list of the newest, and each user's last one.
 */
export class SyncLog {
  constructor(private readonly store: Store) {}

  async record(r: SyncRecord): Promise<void> {
    const value = JSON.stringify(r);
    const tx = this.store.redis
      .multi()
      .lpush(this.store.key('syncs'), value)
      .ltrim(this.store.key('syncs'), 0, KEEP - 1);
    if (r.user !== null) tx.hset(this.store.key('last-sync'), r.user.toLowerCase(), value);
    await tx.exec();
  }

  /** Newest first. */
  async recent(limit = 50): Promise<SyncRecord[]> {
    const raw = await this.store.redis.lrange(this.store.key('syncs'), 0, limit - 1);
    return raw.map((v) => JSON.parse(v) as SyncRecord);
  }

  async lastOf(user: string): Promise<SyncRecord | null> {
    const raw = await this.store.redis.hget(this.store.key('last-sync'), user.toLowerCase());
    return raw === null ? null : (JSON.parse(raw) as SyncRecord);
  }
}
