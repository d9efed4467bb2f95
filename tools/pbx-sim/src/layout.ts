import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mailboxId, type SpoolFolder } from '@vmsync/asterisk-spool';

export interface SpoolLayoutOptions {
  /** Everything goes below this directory: `voicemail.conf` and `spool/`. */
  root: string;
  users: number;
  /** Index of the first user (user{first}@..., mailbox 1000+first); default 1. */
  first?: number;
  context?: string;
  /** Default `attach` for everyone, and per user (1-based index) when given. */
  attach?: boolean | ((i: number) => boolean);
  /** `backupdeleted` in [general]; 0 leaves it out (Asterisk's default). */
  backupDeleted?: number;
  serverEmail?: string;
  /** Mail domain of the users. */
  domain?: string;
  /** Folders to create up front (Asterisk creates them on first use). */
  folders?: SpoolFolder[];
}

export interface SimUser {
  index: number;
  context: string;
  mailbox: string;
  /** `mailbox@context`. */
  mailboxId: string;
  email: string;
  fullname: string;
  attach: boolean;
}

export interface SpoolLayout {
  root: string;
  spoolDir: string;
  confPath: string;
  serverEmail: string;
  backupDeleted: number;
  users: SimUser[];
}

/** User i (1-based) is mailbox 1000+i with address user{i}@example.test. */
export function simUser(
  i: number,
  options: { context?: string; domain?: string; attach?: boolean } = {},
): SimUser {
  const context = options.context ?? 'default';
  const mailbox = String(1000 + i);
  return {
    index: i,
    context,
    mailbox,
    mailboxId: mailboxId(context, mailbox),
    email: `user${i}@${options.domain ?? 'example.test'}`,
    fullname: `User ${i}`,
    attach: options.attach ?? true,
  };
}

/** The voicemail.conf an operator would write for these users. */
export function voicemailConfText(
  layout: Omit<SpoolLayout, 'root' | 'spoolDir' | 'confPath'>,
): string {
  const lines = [
    '; voicemail.conf written by pbx-sim',
    '[general]',
    'format=wav',
    `serveremail=${layout.serverEmail}`,
    'attach=yes',
    'maxmsg=100',
    'moveheard=yes',
    ...(layout.backupDeleted > 0 ? [`backupdeleted=${layout.backupDeleted}`] : []),
    '',
    '[zonemessages]',
    "eastern=America/New_York|'vm-received' Q 'digits/at' IMp",
    '',
  ];
  const contexts = [...new Set(layout.users.map((u) => u.context))];
  for (const context of contexts) {
    lines.push(`[${context}]`);
    for (const u of layout.users.filter((x) => x.context === context)) {
      lines.push(
        `${u.mailbox} => ${4000 + u.index},${u.fullname},${u.email},,attach=${u.attach ? 'yes' : 'no'}|tz=eastern`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Writes `<root>/voicemail.conf` and creates each user's mailbox under `<root>/spool`. */
export async function createSpoolLayout(options: SpoolLayoutOptions): Promise<SpoolLayout> {
  const root = path.resolve(options.root);
  const spoolDir = path.join(root, 'spool');
  const confPath = path.join(root, 'voicemail.conf');
  const attachOf = (i: number) =>
    typeof options.attach === 'function' ? options.attach(i) : (options.attach ?? true);
  const first = options.first ?? 1;
  const users = Array.from({ length: options.users }, (_, k) =>
    simUser(k + first, {
      attach: attachOf(k + first),
      ...(options.context === undefined ? {} : { context: options.context }),
      ...(options.domain === undefined ? {} : { domain: options.domain }),
    }),
  );
  const layout: SpoolLayout = {
    root,
    spoolDir,
    confPath,
    serverEmail: options.serverEmail ?? 'vm@pbx.example.test',
    backupDeleted: options.backupDeleted ?? 0,
    users,
  };
  await mkdir(spoolDir, { recursive: true });
  await writeFile(confPath, voicemailConfText(layout));
  const folders = options.folders ?? ['INBOX', 'Old', 'Urgent'];
  for (const u of users) {
    const dir = path.join(spoolDir, u.context, u.mailbox);
    await mkdir(path.join(dir, 'tmp'), { recursive: true });
    for (const f of folders) await mkdir(path.join(dir, f), { recursive: true });
  }
  return layout;
}
