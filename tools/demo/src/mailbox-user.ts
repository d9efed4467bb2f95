import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import type { DemoContext } from './demo-context.js';

export interface MailView {
  uid: number;
  messageId: string;
  subject: string;
  folder: 'INBOX' | 'Trash' | 'Archive';
  seen: boolean;
}

const FOLDERS = ['INBOX', 'Trash', 'Archive'] as const;

/**
 * The user at their mail client: reads, unreads, deletes (to Trash), restores and
 * archives notification emails over IMAP. The local Dovecot's master user stands in for
 * the user's own login.
 */
export class MailboxUser {
  #client: ImapFlow | undefined;

  constructor(
    private readonly ctx: DemoContext,
    readonly address: string,
  ) {}

  async #imap(): Promise<ImapFlow> {
    if (this.#client?.usable) return this.#client;
    const { imap } = this.ctx;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: true,
      servername: 'localhost',
      tls: { ca: [readFileSync(imap.caFile)] },
      auth: {
        user: `${this.address}${imap.separator}${imap.masterUser}`,
        pass: imap.masterPassword,
      },
      logger: false,
    });
    await client.connect();
    await client.mailboxCreate('Archive').catch(() => undefined);
    this.#client = client;
    return client;
  }

  /**
   * Runs `work` on a connection, and once more on a new one if the first dropped under it
   * (as a mail client does when the server or the network closes it mid-command).
   */
  async #withClient<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = await this.#imap();
    try {
      return await work(client);
    } catch (error) {
      if (client.usable) throw error;
      return work(await this.#imap());
    }
  }

  list(): Promise<MailView[]> {
    return this.#withClient((client) => this.#list(client));
  }

  async #list(client: ImapFlow): Promise<MailView[]> {
    const out: MailView[] = [];
    for (const folder of FOLDERS) {
      const lock = await client.getMailboxLock(folder);
      try {
        for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
          out.push({
            uid: m.uid,
            messageId: m.envelope?.messageId ?? '',
            subject: m.envelope?.subject ?? '',
            folder,
            seen: m.flags?.has('\\Seen') ?? false,
          });
        }
      } catch (error) {
        // an empty folder has no 1:*; a dropped connection is no empty folder
        if (!client.usable) throw error;
      } finally {
        lock.release();
      }
    }
    return out;
  }

  async find(messageId: string): Promise<MailView | undefined> {
    return (await this.list()).find((m) => m.messageId === messageId);
  }

  async markRead(messageId: string, read = true): Promise<void> {
    await this.#onMessage(messageId, async (client, uid) => {
      if (read) await client.messageFlagsAdd({ uid: String(uid) }, ['\\Seen'], { uid: true });
      else await client.messageFlagsRemove({ uid: String(uid) }, ['\\Seen'], { uid: true });
    });
  }

  async moveTo(messageId: string, folder: 'INBOX' | 'Trash' | 'Archive'): Promise<void> {
    await this.#onMessage(messageId, async (client, uid, from) => {
      // once moved (a retry after a dropped connection), a second MOVE would copy it
      if (from !== folder) await client.messageMove(String(uid), folder, { uid: true });
    });
  }

  /** Moves one copy by UID (two copies can share a Message-ID: a replayed notification). */
  async moveUid(folder: MailView['folder'], uid: number, to: MailView['folder']): Promise<void> {
    const client = await this.#imap();
    const lock = await client.getMailboxLock(folder);
    try {
      await client.messageMove(String(uid), to, { uid: true });
    } finally {
      lock.release();
    }
  }

  /** Empties the demo user's folders, so the demo starts from a clean mailbox. */
  async clear(): Promise<void> {
    const client = await this.#imap();
    for (const folder of FOLDERS) {
      const lock = await client.getMailboxLock(folder);
      try {
        await client.messageDelete('1:*').catch(() => undefined);
      } finally {
        lock.release();
      }
    }
  }

  async close(): Promise<void> {
    await this.#client?.logout().catch(() => undefined);
  }

  async #onMessage(
    messageId: string,
    work: (client: ImapFlow, uid: number, folder: MailView['folder']) => Promise<void>,
  ): Promise<void> {
    await this.#withClient(async (client) => {
      const found = (await this.#list(client)).find((m) => m.messageId === messageId);
      if (!found) throw new Error(`no email ${messageId} in ${this.address}'s mailbox`);
      const lock = await client.getMailboxLock(found.folder);
      try {
        await work(client, found.uid, found.folder);
      } finally {
        lock.release();
      }
    });
  }
}
