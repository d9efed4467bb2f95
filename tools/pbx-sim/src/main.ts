import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  isSpoolFolder,
  loadVoicemailConf,
  parseMailboxId,
  SpoolReader,
} from '@vmsync/asterisk-spool';
import { appendToInbox, type ImapConnection } from './deliver.js';
import { deposit, splitCallerId } from './deposit.js';
import { createSpoolLayout } from './layout.js';
import { buildNotification } from './notify.js';
import {
  type ActionResult,
  deleteMessage,
  listen,
  type MailboxTarget,
  markUnheard,
  purge,
  saveToFolder,
  undelete,
} from './user-actions.js';

const USAGE = `pbx-sim <command> [options]   (run: npx tsx tools/pbx-sim/src/main.ts ...)

  init          --root DIR --users N [--context default] [--attach yes|no] [--backupdeleted N]
  deposit       --spool DIR --mailbox 1001 [--context default] [--caller-num 100]
                [--caller-name Alice] [--duration 3] [--urgent]
  notify        --spool DIR --conf FILE --mailbox 1001 --msg-id ID [--context default]
                [--ref-server NAME --ref-secret-file FILE]
                [--imap-host H --imap-port 993 --imap-user U (--imap-pass P | --imap-token T) [--ca FILE]]
                without --imap-host the message is written to stdout
  list          --spool DIR --mailbox 1001 [--context default]
  listen | mark-unheard | delete | undelete | purge | save
                --spool DIR --mailbox 1001 --msg-id ID [--context default]
                [--backupdeleted N] [--folder Work (save only)]

Prints JSON. Exit code 1 when an action found nothing to do, 2 on bad usage.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    root: { type: 'string' },
    users: { type: 'string' },
    spool: { type: 'string' },
    conf: { type: 'string' },
    context: { type: 'string', default: 'default' },
    mailbox: { type: 'string' },
    'msg-id': { type: 'string' },
    attach: { type: 'string' },
    backupdeleted: { type: 'string' },
    'caller-num': { type: 'string' },
    'caller-name': { type: 'string' },
    duration: { type: 'string' },
    urgent: { type: 'boolean', default: false },
    folder: { type: 'string' },
    'ref-server': { type: 'string' },
    'ref-secret-file': { type: 'string' },
    'imap-host': { type: 'string' },
    'imap-port': { type: 'string' },
    'imap-user': { type: 'string' },
    'imap-pass': { type: 'string' },
    'imap-token': { type: 'string' },
    ca: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

function need(name: keyof typeof values): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') usage(`--${name} is required`);
  return v as string;
}

function usage(problem?: string): never {
  if (problem) process.stderr.write(`${problem}\n\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function target(): MailboxTarget {
  return {
    spoolDir: need('spool'),
    mailbox: need('mailbox'),
    context: values.context ?? 'default',
    maxDeleted: Number(values.backupdeleted ?? 0),
  };
}

async function notify(): Promise<void> {
  const context = values.context ?? 'default';
  const mailbox = need('mailbox');
  const msgId = need('msg-id');
  const conf = await loadVoicemailConf(need('conf'));
  const user = conf.users.find((u) => u.context === context && u.mailbox === mailbox);
  if (!user) usage(`mailbox ${mailbox}@${context} is not in ${values.conf}`);
  const found = await new SpoolReader(need('spool')).readMessage(context, mailbox, msgId);
  if (found.status !== 'known') usage(`message ${msgId}: ${found.status}`);
  const audioExt = found.audio.format === 'wav49' ? 'WAV' : found.audio.format;
  const dir = `${need('spool')}/${context}/${mailbox}/${found.location.folder}`;
  const num = String(found.location.msgnum).padStart(4, '0');
  const secretFile = values['ref-secret-file'];
  const mail = await buildNotification({
    message: {
      mailbox,
      context,
      msgnum: found.location.msgnum,
      msgId,
      metadata: found.metadata,
      audioPath: `${dir}/msg${num}.${audioExt}`,
      caller: splitCallerId(found.metadata.callerid),
    },
    user: { email: user.emails[0] ?? '', fullname: user.fullname, attach: user.attach },
    serverEmail: user.serverEmail,
    ...(values['ref-server'] && secretFile
      ? { ref: { server: values['ref-server'], secret: readFileSync(secretFile, 'utf8').trim() } }
      : {}),
  });
  const host = values['imap-host'];
  if (!host) {
    process.stdout.write(mail.raw);
    return;
  }
  const imapUser = need('imap-user');
  const connection: ImapConnection = {
    host,
    port: Number(values['imap-port'] ?? 993),
    ...(values.ca ? { ca: readFileSync(values.ca) } : {}),
    auth: values['imap-token']
      ? { user: imapUser, accessToken: values['imap-token'] }
      : { user: imapUser, pass: need('imap-pass') },
  };
  print({
    messageId: mail.messageId,
    subject: mail.subject,
    ...(await appendToInbox(connection, mail.raw)),
  });
}

async function act(fn: (t: MailboxTarget, msgId: string) => Promise<ActionResult>): Promise<void> {
  const result = await fn(target(), need('msg-id'));
  print(result);
  if (!result.done) process.exitCode = 1;
}

async function main(): Promise<void> {
  const [command] = positionals;
  if (values.help || !command) usage();
  switch (command) {
    case 'init': {
      const layout = await createSpoolLayout({
        root: need('root'),
        users: Number(need('users')),
        context: values.context ?? 'default',
        attach: (values.attach ?? 'yes') !== 'no',
        backupDeleted: Number(values.backupdeleted ?? 0),
      });
      print({ spoolDir: layout.spoolDir, confPath: layout.confPath, users: layout.users.length });
      return;
    }
    case 'deposit': {
      const caller = {
        ...(values['caller-num'] ? { number: values['caller-num'] } : {}),
        ...(values['caller-name'] ? { name: values['caller-name'] } : {}),
      };
      const msg = await deposit({
        spoolDir: need('spool'),
        mailbox: need('mailbox'),
        context: values.context ?? 'default',
        caller,
        durationSec: Number(values.duration ?? 3),
        urgent: values.urgent ?? false,
      });
      print({ ...msg, metadata: undefined });
      return;
    }
    case 'notify':
      return notify();
    case 'list': {
      const id = parseMailboxId(`${need('mailbox')}@${values.context ?? 'default'}`);
      if (!id) usage('bad mailbox');
      print(await new SpoolReader(need('spool')).scanMailbox(id.context, id.mailbox));
      return;
    }
    case 'listen':
      return act(listen);
    case 'mark-unheard':
      return act(markUnheard);
    case 'delete':
      return act(deleteMessage);
    case 'undelete':
      return act(undelete);
    case 'purge':
      return act(purge);
    case 'save':
      return act((t, id) => {
        const folder = need('folder');
        if (!isSpoolFolder(folder)) usage(`--folder ${folder} is not an Asterisk folder`);
        return saveToFolder(t, id, folder);
      });
    default:
      usage(`unknown command '${command}'`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`pbx-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
