import type { Store } from '@vmsync/store';

/** What vmsync last knew of a folder: a new UIDVALIDITY voids every UID it held. */
export interface FolderSyncState {
  uidValidity: string;
  highestModseq: string | null;
}

export interface FolderSyncStore {
  load(account: string): Promise<Map<string, FolderSyncState>>;
  save(account: string, path: string, state: FolderSyncState): Promise<void>;
}

/** Per account, one Redis hash `imap-folder:<account>` of folder -> state. */
export class RedisFolderSyncStore implements FolderSyncStore {
  constructor(private readonly store: Store) {}

  #key(account: string): string {
    return this.store.key('imap-folder', account.toLowerCase());
  }

  async load(account: string): Promise<Map<string, FolderSyncState>> {
    const raw = await this.store.redis.hgetall(this.#key(account));
    return new Map(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as FolderSyncState]));
  }

  async save(account: string, path: string, state: FolderSyncState): Promise<void> {
    await this.store.redis.hset(this.#key(account), path, JSON.stringify(state));
  }
}
