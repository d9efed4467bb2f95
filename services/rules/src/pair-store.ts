import type { EmailRef, EmailState, PairKind, VoicemailRef, VoicemailState } from '@vmsync/events';
import type { Store } from '@vmsync/store';
import type { NotificationClass } from './linking/classify-notification.js';
import type { UserChanges } from './rules/index.js';

export interface VoicemailRecord {
  ref: VoicemailRef;
  state: VoicemailState;
  observedAt: number;
  /** The user's notification address, lower-case; null: not synchronized. */
  user: string | null;
  kind: PairKind | null;
  callerId: string;
  origTime: number;
  audioSize: number | null;
}

export interface EmailRecord {
  ref: EmailRef;
  state: EmailState;
  observedAt: number;
  claim: NotificationClass;
  hasAudio: boolean;
}

export interface Pair {
  voicemail: string;
  email: string;
  kind: PairKind;
}

export const voicemailKey = (r: VoicemailRef): string => `${r.server}/${r.mailbox}/${r.msgId}`;
export const emailKey = (r: EmailRef): string => `${r.account.toLowerCase()}/${r.emailId}`;

/** Unlinked messages kept per user, newest first; a user's backlog beyond it never links. */
const WAITING_MAX = 1000;

/** Records outlive their messages by this long, then Redis forgets them. */
const TTL_S = 90 * 24 * 3600;

// Links both directions at once, or neither: the first email linked wins (DESIGN.md §4).
const LINK = `
local a = redis.call('GET', KEYS[1])
local b = redis.call('GET', KEYS[2])
if a == ARGV[1] and b == ARGV[2] then return 'OK' end
if a or b then return 'TAKEN' end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 'OK'`;

const NEWEST = `
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > old then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 'OK'`;

/**
 * The rules' shared state (DESIGN.md §1): each side's last known state, when a user last
 * changed it, the pairs, and the messages still waiting for their partner. The rules process keeps none of it.
 */
export class PairStore {
  constructor(private readonly store: Store) {}

  #k(...parts: string[]): string {
    return this.store.key('rules', ...parts);
  }

  async putVoicemail(r: VoicemailRecord): Promise<void> {
    await this.store.redis.set(this.#k('vm', voicemailKey(r.ref)), JSON.stringify(r), 'EX', TTL_S);
  }

  async getVoicemail(key: string): Promise<VoicemailRecord | null> {
    const raw = await this.store.redis.get(this.#k('vm', key));
    return raw === null ? null : (JSON.parse(raw) as VoicemailRecord);
  }

  async putEmail(r: EmailRecord): Promise<void> {
    await this.store.redis.set(this.#k('em', emailKey(r.ref)), JSON.stringify(r), 'EX', TTL_S);
  }

  async getEmail(key: string): Promise<EmailRecord | null> {
    const raw = await this.store.redis.get(this.#k('em', key));
    return raw === null ? null : (JSON.parse(raw) as EmailRecord);
  }

  /**
   * A user changed this side at `at` (the echo rule's comparison, rules/on-echo.ts):
   * kept as the newest such time, so a redelivered older event cannot move it back.
   * The watchers keep per-part user times too (their observation logs, for the actuators'
   * newer wins), but those are each watcher's own state: services meet only on the bus
   * (DESIGN.md §1), so the rules keep theirs from the events they take.
   */
  async noteUserChange(side: 'vm' | 'em', key: string, at: number): Promise<void> {
    await this.store.redis.eval(NEWEST, 1, this.#k('user-at', side, key), at, TTL_S);
  }

  /** When a user last changed each side of `pair` (0: never seen). */
  async userChanges(pair: Pair): Promise<UserChanges> {
    const [vm, em] = await this.store.redis.mget(
      this.#k('user-at', 'vm', pair.voicemail),
      this.#k('user-at', 'em', pair.email),
    );
    return { voicemailAt: Number(vm ?? 0), emailReadAt: Number(em ?? 0) };
  }

  async pairOfVoicemail(key: string): Promise<Pair | null> {
    const raw = await this.store.redis.get(this.#k('pair', 'vm', key));
    return raw === null ? null : (JSON.parse(raw) as Pair);
  }

  async pairOfEmail(key: string): Promise<Pair | null> {
    const raw = await this.store.redis.get(this.#k('pair', 'em', key));
    return raw === null ? null : (JSON.parse(raw) as Pair);
  }

  /** Links a voicemail and an email unless either is linked elsewhere (same pair again: true). */
  async link(pair: Pair): Promise<boolean> {
    const value = JSON.stringify(pair);
    const result = await this.store.redis.eval(
      LINK,
      2,
      this.#k('pair', 'vm', pair.voicemail),
      this.#k('pair', 'em', pair.email),
      value,
      value,
      TTL_S,
    );
    if (result === 'OK') {
      await this.store.redis
        .multi()
        .zrem(this.#k('waiting-vm', userOfVoicemailKey(pair)), pair.voicemail)
        .zrem(this.#k('waiting-em', userOfEmailKey(pair.email)), pair.email)
        .exec();
      return true;
    }
    return false;
  }

  async addWaitingVoicemail(user: string, key: string, origTime: number): Promise<void> {
    await this.#addWaiting(this.#k('waiting-vm', user), origTime, key);
  }

  /** Keeps the newest WAITING_MAX of a user's unlinked messages; older ones never link. */
  async #addWaiting(list: string, score: number, key: string): Promise<void> {
    await this.store.redis
      .multi()
      .zadd(list, score, key)
      .zremrangebyrank(list, 0, -(WAITING_MAX + 1))
      .exec();
  }

  async waitingVoicemails(user: string): Promise<VoicemailRecord[]> {
    const keys = await this.store.redis.zrevrange(this.#k('waiting-vm', user), 0, WAITING_MAX - 1);
    return this.#records<VoicemailRecord>('vm', keys);
  }

  async addWaitingEmail(account: string, key: string, observedAt: number): Promise<void> {
    await this.#addWaiting(this.#k('waiting-em', account.toLowerCase()), observedAt, key);
  }

  /** Oldest first: of two emails naming one voicemail, the one seen first links. */
  async waitingEmails(account: string): Promise<EmailRecord[]> {
    const newest = await this.store.redis.zrevrange(
      this.#k('waiting-em', account.toLowerCase()),
      0,
      WAITING_MAX - 1,
    );
    return this.#records<EmailRecord>('em', newest.reverse());
  }

  /** The records of `keys` that still exist, in order: one MGET. */
  async #records<T>(kind: 'vm' | 'em', keys: readonly string[]): Promise<T[]> {
    if (keys.length === 0) return [];
    const raw = await this.store.redis.mget(keys.map((k) => this.#k(kind, k)));
    return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as T);
  }
}

function userOfEmailKey(key: string): string {
  return key.slice(0, key.indexOf('/'));
}

/** The waiting-list of a voicemail is its user's: the paired email's account. */
function userOfVoicemailKey(pair: Pair): string {
  return userOfEmailKey(pair.email);
}
