import { MailboxError } from './mailbox-error.js';

/** Where a notification can be, and what the server can do (DESIGN.md §6). */
export interface FolderPlan {
  inbox: string;
  /** The `\Trash` folder, found by SPECIAL-USE, never by a (localized) name where it is offered. */
  trash: string;
  /**
   * Every other folder a notification may sit in; found there it is `archive`. Gmail: All
   * Mail and Spam (Spam is not in All Mail). Elsewhere: every real folder (a `\All` folder
   * there is a virtual view of the others and is skipped).
   */
  archive: string[];
  /** X-GM-EXT-1: Gmail's labels; X-GM-MSGID is the stable id. */
  gmail: boolean;
  condstore: boolean;
  move: boolean;
  uidplus: boolean;
}

export interface ListedFolder {
  path: string;
  flags: Set<string>;
  specialUse?: string | undefined;
  specialUseSource?: 'user' | 'extension' | 'name' | undefined;
}

const UNSELECTABLE = ['\\Noselect', '\\NonExistent'];

/** Pure: the plan from a LIST answer and the capabilities. */
export function planFolders(
  folders: readonly ListedFolder[],
  capabilities: ReadonlySet<string> | ReadonlyMap<string, unknown>,
): FolderPlan {
  const has = (c: string) => capabilities.has(c);
  const gmail = has('X-GM-EXT-1');
  // Without SPECIAL-USE (or XLIST) a name is all there is; with it, only the server's flag counts.
  const byName = !has('SPECIAL-USE') && !has('XLIST');
  const special = (use: string) =>
    folders.find((f) => f.specialUse === use && (f.specialUseSource !== 'name' || byName))?.path;
  const trash = special('\\Trash');
  if (trash === undefined) {
    throw new MailboxError(
      'MAILBOX_NO_TRASH',
      'The mailbox has no folder marked \\Trash (SPECIAL-USE): vmsync deletes by moving to it. Create a Trash folder or enable SPECIAL-USE on the server.',
      { retriable: false },
    );
  }
  const selectable = folders.filter((f) => !UNSELECTABLE.some((flag) => f.flags.has(flag)));
  const isInbox = (f: ListedFolder) => f.path.toUpperCase() === 'INBOX';
  let archive: string[];
  if (gmail) {
    archive = [special('\\All'), special('\\Junk')].filter((p): p is string => p !== undefined);
  } else {
    archive = selectable
      .filter((f) => !isInbox(f) && f.path !== trash && f.specialUse !== '\\All')
      .map((f) => f.path);
  }
  return {
    inbox: 'INBOX',
    trash,
    archive,
    gmail,
    condstore: has('CONDSTORE'),
    move: has('MOVE'),
    uidplus: has('UIDPLUS'),
  };
}

/** Folders in the order a complete look visits them: Trash last (see MailboxSession.look). */
export function lookOrder(plan: FolderPlan): string[] {
  return [plan.inbox, ...plan.archive, plan.trash];
}

/** How a folder counts for the email's location. */
export function folderRole(plan: FolderPlan, path: string): 'inbox' | 'trash' | 'archive' {
  if (path === plan.inbox) return 'inbox';
  if (path === plan.trash) return 'trash';
  return 'archive';
}
