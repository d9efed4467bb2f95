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

  /** Users the rules have seen: linked pairs or waiting messages. */
  async users(): Promise<string[]> {
    const keys = await this.#keys('rules:pair:em:*');
    const users = new Set(keys.map((k) => k.slice('rules:pair:em:'.length).split('/')[0] ?? ''));
    for (const k of await this.#keys('rules:waiting-*')) users.add(k.split(':').at(-1) ?? '');
    for (const s of await this.statuses.all()) users.add(s.account);
    users.delete('');
    return [...users].sort();
  }

  async user(address: string): Promise<UserSyncView> {
    const user = address.toLowerCase();
    const keys = await this.#keys(`rules:pair:em:${escapeGlob(user)}/*`);
    const pairs = await Promise.all(
      keys.map(async (k): Promise<PairView | null> => {
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
