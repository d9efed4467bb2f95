import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import type { StackEnv } from './stack-env.js';

export interface TestNotification {
  messageId?: string;
  from?: string;
  callerId?: string;
  callerName?: string;
  /** Attach a (tiny) WAV: a `wav` notification; false: text only. */
  attachment?: boolean;
  vmsyncRef?: string;
}

export const PBX_SENDER = 'asterisk@pbx.example.test';

/**
 * The user's side of a test mailbox, through Dovecot's master user: delivers notifications
 * and does what a user does in a mail client (read, unread, delete, restore, archive,
 * empty Trash). Never used by the product.
 */
export class TestMailbox {
  private constructor(
    readonly account: string,
    private readonly client: ImapFlow,
  ) {}

  static async open(env: StackEnv, account: string): Promise<TestMailbox> {
    const client = new ImapFlow({
      host: env.VMSYNC_IMAP_HOST,
      port: Number(env.VMSYNC_IMAP_PORT),
      secure: true,
      servername: env.VMSYNC_IMAP_SERVERNAME,
      tls: { ca: [readFileSync(env.VMSYNC_IMAP_TLS_CA, 'utf8')] },
      auth: {
        user: `${account}${env.VMSYNC_IMAP_MASTER_SEPARATOR}${env.VMSYNC_IMAP_MASTER_USER}`,
        pass: env.VMSYNC_IMAP_MASTER_PASSWORD,
      },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', () => {});
    await client.connect();
    return new TestMailbox(account, client);
  }

  /** Empties INBOX, Trash and every other folder; creates `Archive`. */
  async reset(): Promise<void> {
    const folders = await this.client.list();
    if (!folders.some((f) => f.path === 'Archive')) await this.client.mailboxCreate('Archive');
    for (const f of await this.client.list()) {
      if (f.flags.has('\\Noselect') || f.flags.has('\\NonExistent') || f.specialUse === '\\All') {
        continue;
      }
      const box = await this.client.mailboxOpen(f.path);
      if (box.exists > 0) await this.client.messageDelete('1:*');
    }
    await this.client.mailboxClose().catch(() => undefined);
  }

  /** Delivers a notification to INBOX; returns its Message-ID. */
  async deliver(n: TestNotification = {}): Promise<string> {
    const messageId =
      n.messageId ?? `<Asterisk-1-${Date.now()}-1001-${randomUUID().slice(0, 8)}@pbx>`;
    const headers = [
      `From: "Asterisk PBX" <${n.from ?? PBX_SENDER}>`,
      `To: ${this.account}`,
      'Subject: New voicemail from Alice',
      `Message-ID: ${messageId}`,
      `Date: ${new Date().toUTCString()}`,
      `X-Asterisk-CallerID: ${n.callerId ?? '2001'}`,
      `X-Asterisk-CallerIDName: ${n.callerName ?? 'Alice'}`,
      ...(n.vmsyncRef === undefined ? [] : [`X-Vmsync-Ref: ${n.vmsyncRef}`]),
      'MIME-Version: 1.0',
    ];
    const body =
      n.attachment === false
        ? ['Content-Type: text/plain', '', 'You have a new voicemail.', '']
        : [
            'Content-Type: multipart/mixed; boundary="vm"',
            '',
            '--vm',
            'Content-Type: text/plain',
            '',
            'You have a new voicemail.',
            '--vm',
            'Content-Type: audio/x-wav; name="msg0000.wav"',
            'Content-Transfer-Encoding: base64',
            'Content-Disposition: attachment; filename="msg0000.wav"',
            '',
            'UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=',
            '--vm--',
            '',
          ];
    await this.client.append('INBOX', [...headers, ...body].join('\r\n'));
    return messageId;
  }

  async #uids(folder: string, messageId: string): Promise<number[]> {
    await this.client.mailboxOpen(folder);
    const uids = await this.client.search({ header: { 'Message-ID': messageId } }, { uid: true });
    if (!uids) throw new Error(`search in ${folder} failed`);
    return uids;
  }

  async #one(folder: string, messageId: string): Promise<string> {
    const uids = await this.#uids(folder, messageId);
    if (uids.length === 0) throw new Error(`${messageId} is not in ${folder}`);
    return uids.join(',');
  }

  async markRead(messageId: string, folder = 'INBOX'): Promise<void> {
    await this.client.messageFlagsAdd(await this.#one(folder, messageId), ['\\Seen'], {
      uid: true,
    });
  }

  async markUnread(messageId: string, folder = 'INBOX'): Promise<void> {
    await this.client.messageFlagsRemove(await this.#one(folder, messageId), ['\\Seen'], {
      uid: true,
    });
  }

  async move(messageId: string, from: string, to: string): Promise<void> {
    await this.client.messageMove(await this.#one(from, messageId), to, { uid: true });
  }

  /** Deletes for good (e.g. emptying Trash). */
  async purge(messageId: string, folder = 'Trash'): Promise<void> {
    await this.client.messageDelete(await this.#one(folder, messageId), { uid: true });
  }

  /** Where the message is, as the server says: folder and \Seen per copy. */
  async where(messageId: string): Promise<Array<{ folder: string; read: boolean }>> {
    const out: Array<{ folder: string; read: boolean }> = [];
    for (const folder of ['INBOX', 'Archive', 'Trash']) {
      const uids = await this.#uids(folder, messageId);
      if (uids.length === 0) continue;
      for (const m of await this.client.fetchAll(uids.join(','), { flags: true }, { uid: true })) {
        out.push({ folder, read: m.flags?.has('\\Seen') ?? false });
      }
    }
    await this.client.mailboxClose().catch(() => undefined);
    return out;
  }

  async close(): Promise<void> {
    await this.client.logout().catch(() => this.client.close());
  }
}
