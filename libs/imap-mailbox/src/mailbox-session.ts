import type { EmailState, Notification } from '@vmsync/events';
import type { ImapFlow, StatusObject } from 'imapflow';
import { type EmailCopy, emailStateOf } from './email-state.js';
import { type FolderPlan, folderRole, lookOrder, planFolders } from './folder-plan.js';
import {
  type FolderSignature,
  type FolderSnapshot,
  type ScanQuery,
  sameSignature,
  scanFolder,
  searchUids,
} from './folder-scanner.js';
import type { FolderSyncState, FolderSyncStore } from './folder-sync-store.js';
import { MailboxError } from './mailbox-error.js';
import { notificationSearch, stableIdSearch, uidSet } from './notification-query.js';

/** A notification email as one complete look found it. */
export interface FoundEmail {
  emailId: string;
  state: EmailState;
  notification: Notification;
  copies: EmailCopy[];
}

export interface Look {
  emails: Map<string, FoundEmail>;
  /**
   * Ids the caller knew that this look found nowhere, confirmed by a search for each one
   * in every folder after the look. Ids in neither `emails` nor `purged` are unknown this
   * time (they moved while the look ran) and will be seen by the next look.
   */
  purged: string[];
}

export type WakeReason = 'changed' | 'timeout' | 'closed' | 'aborted';

export type SessionNotice =
  | { kind: 'uidvalidity-changed'; path: string; before: string; after: string }
  | { kind: 'folder-gone'; path: string };

export interface MailboxSessionOptions {
  account: string;
  /** PBX sender addresses: a notification may be recognised by its sender alone. */
  senders: readonly string[];
  /** The watcher only EXAMINEs; the actuator SELECTs to change flags and move. */
  readOnly: boolean;
  folderStore?: FolderSyncStore;
  /** How long to gather IDLE notifications before a look; default 0 (look on the first push: pushes during a look make another). A 150 ms default held every change back 153 ms (email-side benchmark). */
  debounceMs?: number;
  onNotice?(notice: SessionNotice): void;
}

/** How often a session lists the folders again and reads every one of them in full. */
const REREAD_MS = 6 * 3_600_000;

interface ImapFailure {
  mailboxMissing?: boolean;
}

/**
 * One logged-in connection to one mailbox: knows its folders (SPECIAL-USE) and capabilities,
 * looks at every notification, IDLEs on INBOX between looks, finds an email by its stable id
 * and changes it. One command at a time: callers serialise.
 */
export class MailboxSession {
  readonly #snapshots = new Map<string, FolderSnapshot>();
  readonly #dirty = new Set<string>();
  #stored = new Map<string, FolderSyncState>();
  #closed = false;
  #listedAt = performance.now();
  #fresh = true;
  /** A message arrived in or left a folder (or may have) since the last look began. */
  #moved = true;
  /** Each folder's STATUS as the opening LIST gave it, for the first look only. */
  readonly #listed = new Map<string, FolderSignature>();
  #error: Error | undefined;
  #wake: ((reason: 'changed' | 'closed') => void) | undefined;
  /** When (performance.now()) the IDLE is to be ended and begun again once; see renewIdleAt. */
  #renewAt: number | undefined;

  private constructor(
    readonly client: ImapFlow,
    public plan: FolderPlan,
    private readonly options: MailboxSessionOptions,
  ) {
    const dirty = ({ path }: { path: string }) => {
      this.#dirty.add(path);
      this.#wake?.('changed');
    };
    const moved = (event: { path: string }) => {
      this.#moved = true;
      dirty(event);
    };
    client.on('exists', moved);
    client.on('expunge', moved);
    client.on('flags', dirty);
    client.on('error', (error: Error) => {
      this.#error = error;
    });
    client.on('close', () => {
      this.#closed = true;
      this.#wake?.('closed');
    });
  }

  /** Discovers folders and capabilities on a logged-in connection. */
  static async open(client: ImapFlow, options: MailboxSessionOptions): Promise<MailboxSession> {
    // With LIST-STATUS (RFC 5819; Dovecot) the LIST also says how full each folder is: the
    // first look then needs no STATUS per empty folder (4 of a typical user's 5).
    const withStatus = client.capabilities.has('LIST-STATUS');
    const folders = await client.list(
      withStatus
        ? {
            statusQuery: {
              messages: true,
              uidNext: true,
              uidValidity: true,
              highestModseq: client.capabilities.has('CONDSTORE'),
            },
          }
        : {},
    );
    const plan = planFolders(folders, client.capabilities);
    const session = new MailboxSession(client, plan, options);
    for (const f of folders) if (f.status) session.#listed.set(f.path, signatureOf(f.status));
    if (options.folderStore) session.#stored = await options.folderStore.load(options.account);
    return session;
  }

  get account(): string {
    return this.options.account;
  }

  /**
   * True when all the server reported since the last look began is flags changing on
   * messages that stayed where they were (read, unread: most user actions). Nothing can
   * have moved between folders then, so a look need not ask after the other folders.
   */
  get onlyFlagsChanged(): boolean {
    return !this.#moved;
  }

  /** False once the connection is gone; the session is then of no further use. */
  get usable(): boolean {
    return !this.#closed && this.client.usable;
  }

  /** Why the connection ended, when the server or the network ended it. */
  get lastError(): Error | undefined {
    return this.#error;
  }

  #query(): ScanQuery {
    return {
      criteria: notificationSearch(this.options.senders),
      gmail: this.plan.gmail,
      condstore: this.plan.condstore,
      readOnly: this.options.readOnly,
    };
  }

  #selected(): string | null {
    return this.client.mailbox ? this.client.mailbox.path : null;
  }

  /**
   * A complete look at every folder a notification can be in. A folder whose STATUS did not
   * move since the last look (and that IDLE did not report) is not read again. Throws on
   * any failure: a partial look never yields a state. `known`: ids the caller holds as
   * present; those found nowhere are confirmed one by one before they count as purged.
   * `fresh` (default): also read the selected folder though IDLE reported nothing there, and
   * ask after every folder, so the look reflects every change made before it began;
   * otherwise trust IDLE for the selected folder and ask only after folders that hold
   * notifications (new folders and a full read come every REREAD_MS).
   */
  async look(known: Iterable<string> = [], options: { fresh?: boolean } = {}): Promise<Look> {
    this.#fresh = options.fresh ?? true;
    this.#moved = false;
    if (performance.now() - this.#listedAt > REREAD_MS) {
      // New folders (a filter's target) and a full read of everything, now and then; in
      // between, STATUS and IDLE say what moved (a LIST per look cost ~1 KB per mailbox).
      if (!this.plan.gmail)
        this.plan = planFolders(await this.client.list(), this.client.capabilities);
      this.#listedAt = performance.now();
      for (const path of lookOrder(this.plan)) this.#dirty.add(path);
    }
    const order = lookOrder(this.plan);
    for (const path of [...this.#snapshots.keys()]) {
      if (!order.includes(path)) this.#snapshots.delete(path);
    }
    for (const path of order) await this.#lookAt(path);
    // The opening LIST's answer served the first look only (and held memory per mailbox).
    this.#listed.clear();

    const emails = this.#merge();
    const purged: string[] = [];
    for (const emailId of known) {
      if (emails.has(emailId)) continue;
      // Moved while the look ran (e.g. Trash -> INBOX after INBOX was read)? Then it is
      // not gone: read everything again soon, and say nothing of it now.
      if ((await this.locate(emailId)).length > 0) {
        for (const path of order) this.#dirty.add(path);
      } else {
        purged.push(emailId);
      }
    }
    await this.#backToInbox();
    return { emails, purged };
  }

  async #lookAt(path: string): Promise<void> {
    const prev = this.#snapshots.get(path);
    // The selected folder (INBOX, under IDLE) reports its own changes; unless the look
    // must be fresh, it is read only when it did (its reports may lag ~0.5 s on Dovecot).
    if (prev && !this.#dirty.has(path) && this.#selected() === path && !this.#fresh) return;
    // Nor can a folder holding no notification change in a way that matters unseen: one
    // that leaves INBOX for it is missed there and found (locate) at once. A periodic
    // look asks only after folders that hold notifications (a STATUS is ~0.4 KB).
    if (prev && !this.#dirty.has(path) && !this.#fresh && prev.copies.size === 0) return;
    if (prev && !this.#dirty.has(path) && this.#selected() !== path) {
      const status = await this.client.status(path, {
        messages: true,
        uidNext: true,
        uidValidity: true,
        highestModseq: this.plan.condstore,
      });
      if (status && sameSignature(prev, signatureOf(status))) return;
    }
    this.#dirty.delete(path);
    let snapshot: FolderSnapshot;
    try {
      snapshot =
        (prev === undefined && path !== this.plan.inbox
          ? await this.#emptyFolder(path)
          : undefined) ?? (await scanFolder(this.client, path, this.#query(), prev));
    } catch (error) {
      const archive = path !== this.plan.inbox && path !== this.plan.trash;
      if (archive && (error as ImapFailure).mailboxMissing) {
        // Deleted between LIST and SELECT: nothing can be in it.
        this.#snapshots.delete(path);
        this.options.onNotice?.({ kind: 'folder-gone', path });
        return;
      }
      throw error;
    }
    this.#snapshots.set(path, snapshot);
    await this.#remember(snapshot);
  }

  /**
   * A first look at a folder that STATUS says is empty: one command instead of EXAMINE +
   * SEARCH (most users' Sent, Drafts, Archive; ~4 of 5 folders at start-up).
   */
  async #emptyFolder(path: string): Promise<FolderSnapshot | undefined> {
    const listed = this.#fromList(path);
    if (listed !== undefined) {
      return listed.messages === 0 ? { path, ...listed, copies: new Map() } : undefined;
    }
    const status = await this.client.status(path, {
      messages: true,
      uidNext: true,
      uidValidity: true,
      highestModseq: this.plan.condstore,
    });
    if (status === false || status.messages !== 0) return undefined;
    return { path, ...signatureOf(status), copies: new Map() };
  }

  /**
   * A folder's STATUS from the opening LIST, trusted only while INBOX, read since, was as
   * the LIST found it: a notification the user moved out of INBOX in between would else be
   * in a folder taken for empty. Used once.
   */
  #fromList(path: string): FolderSignature | undefined {
    const listed = this.#listed.get(path);
    this.#listed.delete(path);
    const inboxListed = this.#listed.get(this.plan.inbox);
    const inboxRead = this.#snapshots.get(this.plan.inbox);
    if (listed === undefined || inboxListed === undefined || inboxRead === undefined) return;
    if (!this.plan.condstore || !sameSignature(inboxListed, inboxRead)) return;
    return listed;
  }

  async #remember(s: FolderSnapshot): Promise<void> {
    const state: FolderSyncState = {
      uidValidity: s.uidValidity.toString(),
      highestModseq: s.highestModseq?.toString() ?? null,
    };
    const before = this.#stored.get(s.path);
    if (before?.uidValidity === state.uidValidity && before.highestModseq === state.highestModseq) {
      return;
    }
    if (before !== undefined && before.uidValidity !== state.uidValidity) {
      this.options.onNotice?.({
        kind: 'uidvalidity-changed',
        path: s.path,
        before: before.uidValidity,
        after: state.uidValidity,
      });
    }
    this.#stored.set(s.path, state);
    await this.options.folderStore?.save(this.options.account, s.path, state);
  }

  /** Leaves INBOX selected (for IDLE), noting whether it changed while we were elsewhere. */
  async #backToInbox(): Promise<void> {
    const inbox = this.plan.inbox;
    if (this.#selected() === inbox) return;
    const box = await this.client.mailboxOpen(inbox, { readOnly: this.options.readOnly });
    const seen = this.#snapshots.get(inbox);
    const now: FolderSignature = {
      uidValidity: box.uidValidity,
      uidNext: box.uidNext,
      messages: box.exists,
      highestModseq: box.highestModseq ?? null,
    };
    if (seen && !sameSignature(seen, now)) {
      this.#dirty.add(inbox);
      this.#moved = true;
    }
  }

  #merge(): Map<string, FoundEmail> {
    const found = new Map<string, FoundEmail>();
    for (const path of lookOrder(this.plan)) {
      const snapshot = this.#snapshots.get(path);
      if (!snapshot) continue;
      const role = folderRole(this.plan, path);
      for (const c of snapshot.copies.values()) {
        const copy: EmailCopy = { folder: path, role, uid: c.uid, read: c.read };
        const entry = found.get(c.emailId);
        if (entry) entry.copies.push(copy);
        else
          found.set(c.emailId, {
            emailId: c.emailId,
            state: { location: role, read: c.read },
            notification: c.notification,
            copies: [copy],
          });
      }
    }
    for (const e of found.values()) e.state = emailStateOf(e.copies);
    return found;
  }

  /** Every copy of one email, found by its stable id (never by a stored UID). */
  async locate(emailId: string, options: { skipEmpty?: boolean } = {}): Promise<EmailCopy[]> {
    const copies: EmailCopy[] = [];
    const empty = options.skipEmpty ? await this.#emptyFolders() : new Set<string>();
    for (const path of lookOrder(this.plan)) {
      if (empty.has(path)) continue;
      try {
        await this.client.mailboxOpen(path, { readOnly: this.options.readOnly });
      } catch (error) {
        if (
          (error as ImapFailure).mailboxMissing &&
          path !== this.plan.inbox &&
          path !== this.plan.trash
        )
          continue;
        throw error;
      }
      const uids = await searchUids(this.client, stableIdSearch(emailId), path);
      if (uids.length === 0) continue;
      const messages = await this.client.fetchAll(
        uidSet(uids),
        { uid: true, flags: true },
        { uid: true },
      );
      const role = folderRole(this.plan, path);
      for (const m of messages) {
        copies.push({ folder: path, role, uid: m.uid, read: m.flags?.has('\\Seen') ?? false });
      }
    }
    return copies;
  }

  /**
   * The folders holding no message now, by one LIST-STATUS where the server offers it
   * (Dovecot; not Gmail, whose All Mail is never empty anyway): a SELECT and a SEARCH
   * fewer for each. Without LIST-STATUS, none (every folder is searched).
   */
  async #emptyFolders(): Promise<Set<string>> {
    if (!this.client.capabilities.has('LIST-STATUS')) return new Set();
    const listed = await this.client.list({ statusQuery: { messages: true } });
    return new Set(listed.filter((f) => f.status?.messages === 0).map((f) => f.path));
  }

  /**
   * Asks for the IDLE to be ended and begun again once, `delayMs` from now (replacing an
   * earlier request), during whichever wait is running then: the server reports what it
   * held back. Dovecot with `imap_hibernate_timeout` loses a change made in the ~0.5 s before
   * it hibernates an IDLE session (its 500 ms notify delay is still pending then): the
   * session reports it only once the client sends something (docs/email-side.md).
   */
  renewIdleAt(delayMs: number): void {
    this.#renewAt = performance.now() + delayMs;
  }

  /**
   * IDLE on INBOX until it reports a change (gathered for `debounceMs`), `timeoutMs` passes,
   * the connection closes or `signal` aborts. The IDLE itself ends with the next command.
   */
  async waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<WakeReason> {
    if (!this.usable) return 'closed';
    if (signal?.aborted) return 'aborted';
    if (this.#dirty.size > 0) return 'changed';
    await this.#backToInbox();
    if (this.#dirty.size > 0) return 'changed';
    const debounceMs = this.options.debounceMs ?? 0;
    return new Promise<WakeReason>((resolve) => {
      let settled = false;
      let gathering: NodeJS.Timeout | undefined;
      let renewing = false;
      let renewal: NodeJS.Timeout | undefined;
      const finish = (reason: WakeReason) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(gathering);
        clearTimeout(renewal);
        signal?.removeEventListener('abort', onAbort);
        this.#wake = undefined;
        resolve(reason);
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const onAbort = () => finish('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#wake = (reason) => {
        if (reason === 'closed') return finish('closed');
        gathering ??= setTimeout(() => finish('changed'), debounceMs);
      };
      const idle = (restarts: number) => {
        this.client.idle().then(
          () => {
            // IDLE ended without us (server ended it): start again, but never spin.
            if (!settled && !renewing && this.usable && restarts < 5) {
              setTimeout(() => !settled && idle(restarts + 1), 1_000).unref();
            }
          },
          () => finish(this.usable ? 'changed' : 'closed'),
        );
      };
      idle(0);
      if (this.#renewAt !== undefined) {
        renewal = setTimeout(
          () => {
            if (settled) return;
            this.#renewAt = undefined;
            renewing = true;
            // A NOOP ends the IDLE (DONE); what the server held back arrives before its OK.
            this.client.noop().then(
              () => {
                renewing = false;
                if (!settled) idle(0);
              },
              () => finish(this.usable ? 'changed' : 'closed'),
            );
          },
          Math.max(0, this.#renewAt - performance.now()),
        );
      }
    });
  }

  /** Sets or clears \Seen (UID STORE +FLAGS.SILENT / -FLAGS.SILENT). */
  async setSeen(folder: string, uids: readonly number[], seen: boolean): Promise<void> {
    await this.client.mailboxOpen(folder, { readOnly: false });
    const range = uidSet(uids);
    const options = { uid: true, silent: true };
    const ok = seen
      ? await this.client.messageFlagsAdd(range, ['\\Seen'], options)
      : await this.client.messageFlagsRemove(range, ['\\Seen'], options);
    if (!ok) throw failed(`STORE ${seen ? '+' : '-'}FLAGS (\\Seen) in ${folder}`);
  }

  /**
   * The same copies with their flags read again (a flag change moves nothing): one FETCH per
   * folder instead of a search of every folder. A copy no longer there is left out; the
   * caller then looks for the email afresh.
   */
  async refreshFlags(copies: readonly EmailCopy[]): Promise<EmailCopy[]> {
    const refreshed: EmailCopy[] = [];
    const byFolder = new Map<string, EmailCopy[]>();
    for (const c of copies) byFolder.set(c.folder, [...(byFolder.get(c.folder) ?? []), c]);
    for (const [folder, inFolder] of byFolder) {
      await this.client.mailboxOpen(folder, { readOnly: this.options.readOnly });
      const messages = await this.client.fetchAll(
        uidSet(inFolder.map((c) => c.uid)),
        { uid: true, flags: true },
        { uid: true },
      );
      for (const c of inFolder) {
        const m = messages.find((x) => x.uid === c.uid);
        if (m) refreshed.push({ ...c, read: m.flags?.has('\\Seen') ?? false });
      }
    }
    return refreshed;
  }

  /**
   * MOVE, or COPY + UID EXPUNGE of exactly these UIDs where the server lacks MOVE. Never a
   * plain EXPUNGE: without UIDPLUS it would remove whatever else the user flagged \Deleted.
   */
  async move(folder: string, uids: readonly number[], destination: string): Promise<void> {
    if (!this.plan.move && !this.plan.uidplus) {
      throw new MailboxError(
        'MAILBOX_UNSUPPORTED',
        'The IMAP server offers neither MOVE nor UIDPLUS: vmsync cannot move a message without risking others.',
        { retriable: false },
      );
    }
    await this.client.mailboxOpen(folder, { readOnly: false });
    const result = await this.client.messageMove(uidSet(uids), destination, { uid: true });
    if (!result) throw failed(`MOVE from ${folder} to ${destination}`);
  }

  /** COPY (on Gmail: adds the destination's label, e.g. INBOX to an archived message). */
  async copy(folder: string, uids: readonly number[], destination: string): Promise<void> {
    await this.client.mailboxOpen(folder, { readOnly: false });
    const result = await this.client.messageCopy(uidSet(uids), destination, { uid: true });
    if (!result) throw failed(`COPY from ${folder} to ${destination}`);
  }

  async close(): Promise<void> {
    this.#wake?.('closed');
    if (this.#closed) return;
    try {
      await Promise.race([
        this.client.logout(),
        new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
      ]);
    } catch {
      // The connection is going away either way.
    } finally {
      this.client.close();
    }
  }
}

function signatureOf(s: StatusObject): FolderSignature {
  return {
    uidValidity: s.uidValidity ?? -1n,
    uidNext: s.uidNext ?? -1,
    messages: s.messages ?? -1,
    highestModseq: s.highestModseq ?? null,
  };
}

function failed(what: string): MailboxError {
  return new MailboxError('MAILBOX_IMAP_FAILED', `${what} was refused by the server`, {
    retriable: true,
  });
}
