import type { FetchMessageObject, ImapFlow, SearchObject } from 'imapflow';
import { MailboxError } from './mailbox-error.js';
import { type NotificationCopy, toNotificationCopy } from './notification-message.js';
import { NOTIFICATION_HEADERS, uidSet } from './notification-query.js';

/** What STATUS / SELECT say of a folder: if none of it moved, nothing in it changed. */
export interface FolderSignature {
  uidValidity: bigint;
  uidNext: number;
  messages: number;
  /** null without CONDSTORE. */
  highestModseq: bigint | null;
}

/** The notifications of one folder at one look, by UID. */
export interface FolderSnapshot extends FolderSignature {
  path: string;
  copies: Map<number, NotificationCopy>;
}

export interface ScanQuery {
  criteria: SearchObject;
  gmail: boolean;
  condstore: boolean;
  /** EXAMINE (the watcher: never changes anything) or SELECT (the actuator). */
  readOnly: boolean;
}

const FETCH_CHUNK = 100;

export function sameSignature(a: FolderSignature, b: FolderSignature): boolean {
  return (
    a.uidValidity === b.uidValidity &&
    a.uidNext === b.uidNext &&
    a.messages === b.messages &&
    a.highestModseq === b.highestModseq
  );
}

export async function searchUids(
  client: ImapFlow,
  query: SearchObject,
  path: string,
): Promise<number[]> {
  const found = await client.search(query, { uid: true });
  if (found === false || found === undefined) {
    // Never read a refused search as "nothing there": that is how deletions get invented.
    throw new MailboxError('MAILBOX_IMAP_FAILED', `SEARCH in ${path} was refused`, {
      retriable: true,
    });
  }
  return found;
}

async function fetchNotifications(
  client: ImapFlow,
  uids: readonly number[],
  gmail: boolean,
): Promise<NotificationCopy[]> {
  const out: NotificationCopy[] = [];
  for (let i = 0; i < uids.length; i += FETCH_CHUNK) {
    const chunk = uids.slice(i, i + FETCH_CHUNK);
    // Headers come as BODY.PEEK[HEADER.FIELDS (...)]: fetching never marks anything read.
    const messages: FetchMessageObject[] = await client.fetchAll(
      uidSet(chunk),
      {
        uid: true,
        flags: true,
        envelope: true,
        bodyStructure: true,
        headers: [...NOTIFICATION_HEADERS],
      },
      { uid: true },
    );
    for (const m of messages) {
      const copy = toNotificationCopy(m, gmail);
      if (copy !== null) out.push(copy);
    }
  }
  return out;
}

/**
 * Opens `path` and reads its notifications. With an earlier snapshot of the same UIDVALIDITY
 * and CONDSTORE, only the difference is asked for: which known UIDs still exist (UID SEARCH
 * on the known set), whose flags changed (FETCH CHANGEDSINCE), and which new UIDs are
 * notifications; otherwise (first look, UIDVALIDITY changed, no CONDSTORE) the whole folder.
 */
export async function scanFolder(
  client: ImapFlow,
  path: string,
  query: ScanQuery,
  prev: FolderSnapshot | undefined,
): Promise<FolderSnapshot> {
  const box = await client.mailboxOpen(path, { readOnly: query.readOnly });
  const signature: FolderSignature = {
    uidValidity: box.uidValidity,
    uidNext: box.uidNext,
    messages: box.exists,
    highestModseq: box.highestModseq ?? null,
  };
  const incremental =
    prev !== undefined &&
    query.condstore &&
    prev.uidValidity === signature.uidValidity &&
    prev.highestModseq !== null &&
    signature.highestModseq !== null;
  if (!incremental) {
    const uids = await searchUids(client, query.criteria, path);
    const copies = await fetchNotifications(client, uids, query.gmail);
    return { path, ...signature, copies: new Map(copies.map((c) => [c.uid, c])) };
  }
  if (sameSignature(prev, signature)) return { ...prev, ...signature };

  const copies = new Map<number, NotificationCopy>();
  const known = [...prev.copies.keys()];
  const still = known.length === 0 ? [] : await searchUids(client, { uid: uidSet(known) }, path);
  for (const uid of still) {
    const c = prev.copies.get(uid);
    if (c) copies.set(uid, c);
  }
  if (still.length > 0 && prev.highestModseq !== null) {
    const changed = await client.fetchAll(
      uidSet(still),
      { uid: true, flags: true },
      { uid: true, changedSince: prev.highestModseq },
    );
    for (const m of changed) {
      const c = copies.get(m.uid);
      if (c) copies.set(m.uid, { ...c, read: m.flags?.has('\\Seen') ?? false });
    }
  }
  if (signature.uidNext > prev.uidNext) {
    // `n:*` always matches the highest UID, even below n: filter.
    const added = (
      await searchUids(client, { ...query.criteria, uid: `${prev.uidNext}:*` }, path)
    ).filter((uid) => uid >= prev.uidNext);
    for (const c of await fetchNotifications(client, added, query.gmail)) copies.set(c.uid, c);
  }
  return { path, ...signature, copies };
}
