import type { MailboxStatus } from '@vmsync/imap-mailbox';
import { MailboxStatusStore } from '@vmsync/imap-mailbox';
import {
  type EmailRecord,
  type Pair,
  PairStore,
  type VoicemailRecord,
} from '@vmsync/rules/pair-store';
import { type Store, SyncLog, type SyncRecord } from '@vmsync/store';

/** A linked voicemail and email, with each side's last state the rules recorded. */
export interface PairView {
  pair: Pair;
  voicemail: VoicemailRecord | null;
  email: EmailRecord | null;
}

/** What vmsync knows of one user, from the deployment's Redis. */
export interface UserSyncView {
  user: string;
  pairs: PairView[];
  /** Messages not (yet) linked to their partner. */
  waiting: { voicemails: number; emails: number };
  mailbox: MailboxStatus | null;
  lastSync: SyncRecord | null;
}

/** Reads the rules' pair store, the watchers' mailbox status and the actuators' sync log. */
export class SyncView {
  readonly pairs: PairStore;
  readonly statuses: MailboxStatusStore;
  readonly syncs: SyncLog;

  constructor(private readonly store: Store) {
    this.pairs = new PairStore(store);
    this.statuses = new MailboxStatusStore(store);
    this.syncs = new SyncLog(store);
  }

  /** Every key under `<deployment>:<pattern>`, without the deployment prefix. */
  async #keys(pattern: string): Promise<string[]> {
    const prefix = `${this.store.prefix}:`;
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.store.redis.scan(
        cursor,
        'MATCH',
        `${prefix}${pattern}`,
        'COUNT',
        1000,
      );
      cursor = next;
      found.push(...keys.map((k) => k.slice(prefix.length)));
    } while (cursor !== '0');
    return found;
  }

  /**
   * Every user the deployment knows (linked pairs, waiting messages, a mailbox status),
   * and `extra` addresses: one scan of the keys for all of them, not one per user.
   */
  async all(extra: readonly string[] = []): Promise<UserSyncView[]> {
    const byUser = new Map<string, string[]>();
    const users = new Set(extra.map((a) => a.toLowerCase()));
    for (const k of await this.#keys('rules:pair:em:*')) {
      const user = k.slice('rules:pair:em:'.length).split('/')[0] ?? '';
      byUser.set(user, [...(byUser.get(user) ?? []), k]);
      users.add(user);
    }
    for (const k of await this.#keys('rules:waiting-*')) users.add(k.split(':').at(-1) ?? '');
    for (const s of await this.statuses.all()) users.add(s.account);
    users.delete('');
    return Promise.all([...users].sort().map((u) => this.#view(u, byUser.get(u) ?? [])));
  }

  async user(address: string): Promise<UserSyncView> {
    const user = address.toLowerCase();
    return this.#view(user, await this.#keys(`rules:pair:em:${escapeGlob(user)}/*`));
  }

  async #view(user: string, pairKeys: readonly string[]): Promise<UserSyncView> {
    const pairs = await Promise.all(
      pairKeys.map(async (k): Promise<PairView | null> => {
        const pair = await this.pairs.pairOfEmail(k.slice('rules:pair:em:'.length));
        if (pair === null) return null;
        const [voicemail, email] = await Promise.all([
          this.pairs.getVoicemail(pair.voicemail),
          this.pairs.getEmail(pair.email),
        ]);
        return { pair, voicemail, email };
      }),
    );
    const redis = this.store.redis;
    const [vms, ems, mailbox, lastSync] = await Promise.all([
      redis.zcard(this.store.key('rules', 'waiting-vm', user)),
      redis.zcard(this.store.key('rules', 'waiting-em', user)),
      this.statuses.get(user),
      this.syncs.lastOf(user),
    ]);
    return {
      user,
      pairs: pairs
        .filter((p): p is PairView => p !== null)
        .sort((a, b) => (b.voicemail?.origTime ?? 0) - (a.voicemail?.origTime ?? 0)),
      waiting: { voicemails: vms, emails: ems },
      mailbox,
      lastSync,
    };
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Mailbox states that wait for a person. */
export const needsAdmin = (s: MailboxStatus | null): boolean =>
  s !== null && (s.state === 'needs-admin-action' || s.state === 'no-credential');
