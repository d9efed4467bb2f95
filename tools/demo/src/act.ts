/** Act as a demo user on either side: `npx tsx tools/demo/src/act.ts help`. */
import { loadContext } from './demo-context.js';
import { MailboxUser } from './mailbox-user.js';
import { type PhoneAction, PhoneUser } from './phone-user.js';

const [what, a, b, c] = process.argv.slice(2);
const ctx = await loadContext();
const userOf = (address: string | undefined) => {
  const u = ctx.users.find((x) => x.email === address);
  if (!u)
    throw new Error(
      `unknown user ${address}; demo users: ${ctx.users.map((x) => x.email).join(', ')}`,
    );
  return u;
};

if (what === 'voicemail') {
  const user = userOf(a);
  const r = await new PhoneUser(ctx, user).voicemail({
    caller: 'Visitor',
    callerNum: '5550000',
    signed: false,
  });
  console.log(`voicemail ${r.message.msgId} left for ${user.email}; email ${r.messageId}`);
} else if (what === 'show') {
  const user = userOf(a);
  console.log('phone:', await new PhoneUser(ctx, user).messages());
  const mail = new MailboxUser(ctx, user.email);
  console.log('mail: ', await mail.list());
  await mail.close();
} else if (what === 'phone') {
  const phone = new PhoneUser(ctx, userOf(b));
  const msgId = c ?? (await phone.messages()).at(-1)?.msgId;
  if (!msgId) throw new Error('no voicemail');
  await phone.act(a as PhoneAction, msgId);
  console.log(`phone: ${a} ${msgId}`);
} else if (what === 'mail') {
  const mail = new MailboxUser(ctx, userOf(b).email);
  // by default the newest email where the action makes sense
  const all = await mail.list();
  const where = a === 'restore' ? 'Trash' : a === 'trash' || a === 'archive' ? 'INBOX' : null;
  const messageId = c ?? all.filter((m) => where === null || m.folder === where).at(-1)?.messageId;
  if (!messageId) throw new Error('no email');
  if (a === 'read' || a === 'unread') await mail.markRead(messageId, a === 'read');
  else if (a === 'trash') await mail.moveTo(messageId, 'Trash');
  else if (a === 'restore') await mail.moveTo(messageId, 'INBOX');
  else if (a === 'archive') await mail.moveTo(messageId, 'Archive');
  else throw new Error(`mail ${a}? read|unread|trash|restore|archive`);
  console.log(`mail: ${a} ${messageId}`);
  await mail.close();
} else {
  console.log(
    'act.ts voicemail USER | show USER | phone listen|unheard|delete|undelete USER [MSG_ID] | mail read|unread|trash|restore|archive USER [MESSAGE_ID]',
  );
}
