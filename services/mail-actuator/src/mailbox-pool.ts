import {
  classifyMailboxFailure,
  type MailboxConnector,
  type MailboxRetryPolicy,
  MailboxSession,
  retryDelay,
  withDeadline,
} from '@vmsync/imap-mailbox';

interface Entry {
  session: MailboxSession | undefined;
  /** Commands for one mailbox run one after another on its one connection. */
  tail: Promise<unknown>;
  lastUsed: number;
  idleTimer: NodeJS.Timeout | undefined;
  reconnects: number;
  busy: boolean;
  /** An admin failure is not retried before `until`: commands fail fast with it. */
  blocked: { error: unknown; until: number; attempts: number } | undefined;
}

export interface MailboxPoolOptions {
  connector: MailboxConnector;
  idleCloseMs: number;
  maxConnections: number;
  adminRetry: MailboxRetryPolicy['admin'];
  /** One command's IMAP work (connect included) taking longer is abandoned and retried. */
  workTimeoutMs: number;
}

/**
 * At most one connection per mailbox for the actuator (DESIGN.md §6: Gmail allows 15 per
 * user, shared with the user's own clients; the watcher holds one more). Reused across
 * commands, closed when idle, dropped after any failure so the next command reconnects
 * with a fresh token.
 */
export class MailboxPool {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly o: MailboxPoolOptions) {}

  get open(): number {
    return [...this.#entries.values()].filter((e) => e.session !== undefined).length;
  }

  /** Credentials changed (a domain added, a key rotated): mailboxes blocked on admin action are tried again. */
  unblockAll(): void {
    for (const e of this.#entries.values()) e.blocked = undefined;
  }

  withSession<T>(account: string, work: (session: MailboxSession) => Promise<T>): Promise<T> {
    let entry = this.#entries.get(account);
    if (entry === undefined) {
      entry = {
        session: undefined,
        tail: Promise.resolve(),
        lastUsed: Date.now(),
        idleTimer: undefined,
        reconnects: 0,
        busy: false,
        blocked: undefined,
      };
      this.#entries.set(account, entry);
    }
    const e = entry;
    const run = e.tail.then(() => this.#run(account, e, work));
    e.tail = run.catch(() => undefined);
    return run;
  }

  async #run<T>(account: string, e: Entry, work: (s: MailboxSession) => Promise<T>): Promise<T> {
    clearTimeout(e.idleTimer);
    // Needs admin action: fail fast with the same admin-readable error, no reconnect loop.
    if (e.blocked && e.blocked.until > Date.now()) throw e.blocked.error;
    e.busy = true;
    e.lastUsed = Date.now();
    try {
      if (!e.session?.usable) {
        await e.session?.close();
        e.session = undefined;
        await this.#makeRoom();
        const client = await this.o.connector.connect(account, { fresh: e.reconnects > 0 });
        e.reconnects++;
        e.session = await MailboxSession.open(client, { account, senders: [], readOnly: false });
      }
      const session = e.session;
      const result = await withDeadline(work(session), this.o.workTimeoutMs, 'the command', () =>
        session.client.close(),
      );
      e.blocked = undefined;
      return result;
    } catch (error) {
      await e.session?.close();
      e.session = undefined;
      if (classifyMailboxFailure(error) === 'admin') {
        const attempts = (e.blocked?.attempts ?? 0) + 1;
        const b = this.o.adminRetry;
        const wait = retryDelay('admin', attempts, { admin: b, transient: b, throttled: b });
        e.blocked = { error, until: Date.now() + wait, attempts };
      }
      throw error;
    } finally {
      e.busy = false;
      e.lastUsed = Date.now();
      e.idleTimer = setTimeout(() => void this.#closeIdle(account), this.o.idleCloseMs);
      e.idleTimer.unref();
    }
  }

  async #closeIdle(account: string): Promise<void> {
    const e = this.#entries.get(account);
    if (!e) return;
    const run = e.tail.then(async () => {
      if (Date.now() - e.lastUsed < this.o.idleCloseMs) return;
      await e.session?.close();
      e.session = undefined;
    });
    e.tail = run;
    await run;
    // Forget the entry only if no command was queued on it meanwhile.
    if (e.tail === run && e.session === undefined && e.blocked === undefined) {
      this.#entries.delete(account);
    }
  }

  /** Closes the least recently used idle connection when the pool is full. */
  async #makeRoom(): Promise<void> {
    if (this.open < this.o.maxConnections) return;
    const idle = [...this.#entries]
      .filter(([, e]) => e.session !== undefined && !e.busy)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed)[0];
    if (!idle) return;
    const [, e] = idle;
    const session = e.session;
    e.session = undefined;
    await session?.close();
  }

  async close(): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(
      all.map(async (e) => {
        clearTimeout(e.idleTimer);
        await e.tail;
        await e.session?.close();
      }),
    );
  }
}
