import { readFile } from 'node:fs/promises';
import { waitFor } from '@vmsync/testkit';
import type { DemoContext } from './demo-context.js';
import { MailboxUser } from './mailbox-user.js';
import type { Narrator } from './narrator.js';
import { PhoneUser } from './phone-user.js';

const step = (text: string) => console.log(`\n\u25b6 ${text}`);

/**
 * The live scenario: voicemails arrive with their notifications, users act on one side,
 * and each change shows up on the other side; every wait is on the real spool or the
 * real mailbox, polled as a user would see it.
 */
export async function runScenario(ctx: DemoContext, narrator: Narrator): Promise<void> {
  const seen = async (text: string, since: number) => {
    const elapsed = Date.now() - since;
    // what vmsync did for this step, then what the user sees
    await new Promise((r) => setTimeout(r, 100));
    narrator.flush();
    console.log(`    \u2714 ${text} \u2014 ${elapsed} ms after the user acted`);
  };
  const [alice, bob, carol] = ctx.users;
  if (!alice || !bob || !carol) throw new Error('the demo needs three users');
  const alicePhone = new PhoneUser(ctx, alice);
  const aliceMail = new MailboxUser(ctx, alice.email);
  const bobPhone = new PhoneUser(ctx, bob);
  const bobMail = new MailboxUser(ctx, bob.email);
  const carolPhone = new PhoneUser(ctx, carol);
  const carolMail = new MailboxUser(ctx, carol.email);
  const folder = (u: PhoneUser, id: string) => u.folderOf(id);
  const mail = (u: MailboxUser, id: string) => u.find(id);
  const until = <T>(what: string, check: () => Promise<T | undefined>) =>
    waitFor(what, check, 30_000, 20);

  try {
    step(`A caller leaves ${alice.email} a voicemail; Asterisk emails it with the WAV attached`);
    const a1 = await alicePhone.voicemail({ caller: 'Dana', callerNum: '5551001', signed: false });
    const a1Mail = a1.messageId ?? '';
    await until('the email', () => mail(aliceMail, a1Mail));
    console.log(
      `    voicemail ${a1.message.msgId} in INBOX; email in the Inbox, unread (linked by Asterisk's headers)`,
    );

    step(`${alice.email} listens to it on the phone (INBOX -> Old)`);
    let t = Date.now();
    await alicePhone.act('listen', a1.message.msgId);
    await until('the email read', async () =>
      (await mail(aliceMail, a1Mail))?.seen ? true : undefined,
    );
    await seen('the email is marked read', t);

    step(`${alice.email} deletes the email in the mail client (moved to Trash)`);
    t = Date.now();
    await aliceMail.moveTo(a1Mail, 'Trash');
    await until('the voicemail deleted', async () =>
      (await folder(alicePhone, a1.message.msgId)) === 'deleted' ? true : undefined,
    );
    await seen('the voicemail is in Deleted (recoverable)', t);

    step(`${alice.email} undeletes the voicemail on the phone`);
    t = Date.now();
    await alicePhone.act('undelete', a1.message.msgId);
    await until('the email back', async () =>
      (await mail(aliceMail, a1Mail))?.folder === 'INBOX' ? true : undefined,
    );
    await seen('the email is back in the Inbox', t);

    step(`${bob.email} gets a voicemail, with vmsync's signed reference in the notification`);
    const b1 = await bobPhone.voicemail({ caller: 'Erin', callerNum: '5551002', signed: true });
    const b1Mail = b1.messageId ?? '';
    await until('the email', () => mail(bobMail, b1Mail));
    step(`${bob.email} reads the email`);
    t = Date.now();
    await bobMail.markRead(b1Mail);
    await until('the voicemail heard', async () =>
      (await folder(bobPhone, b1.message.msgId)) === 'saved' ? true : undefined,
    );
    await seen('the voicemail is marked heard (Old) and the lamp refreshed', t);

    step(`${bob.email} listens to a new voicemail before its email has arrived`);
    const b2 = await bobPhone.voicemail({
      caller: 'Frank',
      callerNum: '5551003',
      signed: true,
      notify: false,
    });
    const recording = await readFile(b2.message.audioPath);
    await bobPhone.act('listen', b2.message.msgId);
    t = Date.now();
    const b2Mail = await bobPhone.notify(b2.message, true, recording);
    await until('the late email read', async () =>
      (await mail(bobMail, b2Mail))?.seen ? true : undefined,
    );
    await seen('the late email is marked read as soon as it is linked', t);

    step(
      `${carol.email} has text-only notifications (attach=no): sync goes voicemail -> email only`,
    );
    const c1 = await carolPhone.voicemail({ caller: 'Gus', callerNum: '5551004', signed: false });
    const c1Mail = c1.messageId ?? '';
    await until('the email', () => mail(carolMail, c1Mail));
    t = Date.now();
    await carolPhone.act('listen', c1.message.msgId);
    await until('the email read', async () =>
      (await mail(carolMail, c1Mail))?.seen ? true : undefined,
    );
    await seen('the email is marked read', t);
  } finally {
    await Promise.all([aliceMail.close(), bobMail.close(), carolMail.close()]);
  }
}
