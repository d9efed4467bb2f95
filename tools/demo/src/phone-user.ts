import { readFile } from 'node:fs/promises';
import { SpoolReader } from '@vmsync/asterisk-spool';
import {
  appendToInbox,
  buildNotification,
  deleteMessage,
  deposit,
  listen,
  markUnheard,
  undelete,
} from '@vmsync/pbx-sim';
import type { DemoContext } from './demo-context.js';

export type PhoneAction = 'listen' | 'unheard' | 'delete' | 'undelete';

/** The PBX and the user at the phone, acting on the demo's spool as Asterisk would. */
export class PhoneUser {
  constructor(
    private readonly ctx: DemoContext,
    readonly user: DemoContext['users'][number],
  ) {}

  /** A caller leaves a voicemail; app_voicemail emails the notification (signed or not). */
  async voicemail(options: {
    caller: string;
    callerNum: string;
    signed: boolean;
    notify?: boolean;
  }) {
    const m = await deposit({
      spoolDir: this.ctx.spoolDir,
      mailbox: this.user.mailbox,
      context: this.user.context,
      caller: { name: options.caller, number: options.callerNum },
      durationSec: 3,
    });
    if (options.notify === false) return { message: m, messageId: null };
    return { message: m, messageId: await this.notify(m, options.signed) };
  }

  /**
   * Sends the notification of a deposited message. `audio`: the recording as deposited,
   * for a notification sent after the message has moved (its file is elsewhere then).
   */
  async notify(
    m: Awaited<ReturnType<typeof deposit>>,
    signed = false,
    audio?: Buffer,
  ): Promise<string> {
    const secret = (await readFile(this.ctx.refSecretFile, 'utf8')).trim();
    const n = await buildNotification({
      message: m,
      user: { email: this.user.email, fullname: this.user.email, attach: this.user.attach },
      serverEmail: this.ctx.serverEmail,
      ...(signed ? { ref: { server: this.ctx.server, secret } } : {}),
      ...(audio ? { audio } : {}),
    });
    const { imap } = this.ctx;
    await appendToInbox(
      {
        host: imap.host,
        port: imap.port,
        secure: true,
        ca: await readFile(imap.caFile),
        auth: {
          user: `${this.user.email}${imap.separator}${imap.masterUser}`,
          pass: imap.masterPassword,
        },
      },
      n.raw,
    );
    return n.messageId;
  }

  /** Does what the user asked at the phone; false when there was nothing to do. */
  async act(action: PhoneAction, msgId: string): Promise<boolean> {
    const target = {
      spoolDir: this.ctx.spoolDir,
      mailbox: this.user.mailbox,
      context: this.user.context,
      maxDeleted: 10,
    };
    const run = { listen, unheard: markUnheard, delete: deleteMessage, undelete }[action];
    return (await run(target, msgId)).done;
  }

  /** The message's folder as the spool says now (INBOX, Old, Deleted...), or null. */
  async folderOf(msgId: string): Promise<string | null> {
    const scan = await new SpoolReader(this.ctx.spoolDir).scanMailbox(
      this.user.context,
      this.user.mailbox,
    );
    const m = scan.messages.find((x) => x.msgId === msgId);
    return m ? m.state.folder : null;
  }

  async messages(): Promise<{ msgId: string; folder: string; heard: boolean }[]> {
    const scan = await new SpoolReader(this.ctx.spoolDir).scanMailbox(
      this.user.context,
      this.user.mailbox,
    );
    return scan.messages.map((m) => ({
      msgId: m.msgId,
      folder: m.state.folder,
      heard: m.state.heard,
    }));
  }
}
