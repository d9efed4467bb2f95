import path from 'node:path';
import type { VoicemailState } from '@vmsync/events';

/** app_voicemail's folders in file storage, in its own index order (`mailbox_folders[]`). */
export const FOLDERS = [
  'INBOX',
  'Old',
  'Work',
  'Family',
  'Friends',
  'Cust1',
  'Cust2',
  'Cust3',
  'Cust4',
  'Cust5',
  'Deleted',
  'Urgent',
] as const;
export type SpoolFolder = (typeof FOLDERS)[number];

/** Folders whose messages are unheard (DESIGN.md §7). */
export const NEW_FOLDERS: readonly SpoolFolder[] = ['INBOX', 'Urgent'];

/** app_voicemail's MAXMSG: the default per-folder cap and the default `backupdeleted=yes` size. */
export const DEFAULT_MAX_MSG = 100;
/** app_voicemail's MAXMSGLIMIT: message numbers stay below this (four digits). */
export const MAX_MSG_LIMIT = 9999;

/**
 * The only names read inside a folder. Asterisk writes other formats too (`.ulaw`,
 * `.g722`...); those are moved along with their message but never read.
 */
export const MESSAGE_FILE = /^msg(\d{4})\.(txt|wav|WAV|gsm)$/;
/** Any file that belongs to message slot N, whatever its format (moved and renamed as a unit). */
export const MESSAGE_SLOT_FILE = /^msg(\d{4})\.([A-Za-z0-9]{1,8})$/;
/** Audio formats read for size and digest, most preferred first. */
export const AUDIO_EXTENSIONS = ['wav', 'WAV', 'gsm'] as const;
export type AudioExtension = (typeof AUDIO_EXTENSIONS)[number];

export function isSpoolFolder(name: string): name is SpoolFolder {
  return (FOLDERS as readonly string[]).includes(name);
}

/**
 * Which copy of a message speaks for it (NOTES.md): INBOX, Urgent, Old, the other saved
 * folders, and Deleted last, because Asterisk leaves copies in Deleted when it moves.
 */
export function folderRank(folder: SpoolFolder): number {
  switch (folder) {
    case 'INBOX':
      return 0;
    case 'Urgent':
      return 1;
    case 'Old':
      return 2;
    case 'Deleted':
      return 4;
    default:
      return 3;
  }
}

/** DESIGN.md §7: the state a message has when its best copy sits in `folder`. */
export function folderState(folder: SpoolFolder): VoicemailState {
  if (NEW_FOLDERS.includes(folder)) return { folder: 'new', heard: false };
  // A deleted message counts as processed; heard only matters while not deleted.
  if (folder === 'Deleted') return { folder: 'deleted', heard: true };
  return { folder: 'saved', heard: true };
}

/** `mailbox@context`, the form VoicemailRef.mailbox uses. */
export function mailboxId(context: string, mailbox: string): string {
  return `${mailbox}@${context}`;
}

export function parseMailboxId(id: string): { context: string; mailbox: string } | null {
  const at = id.lastIndexOf('@');
  if (at <= 0 || at === id.length - 1) return null;
  const mailbox = id.slice(0, at);
  const context = id.slice(at + 1);
  if (!isSafeSegment(mailbox) || !isSafeSegment(context)) return null;
  return { context, mailbox };
}

/** A context or mailbox name usable as one path segment (no traversal, no hidden files). */
export function isSafeSegment(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 80 &&
    !name.startsWith('.') &&
    !/[/\\\0]/.test(name) &&
    name.trim() === name
  );
}

export function slotName(msgnum: number, ext: string): string {
  return `msg${String(msgnum).padStart(4, '0')}.${ext}`;
}

export function mailboxDir(spoolDir: string, context: string, mailbox: string): string {
  return path.join(spoolDir, context, mailbox);
}

export function folderDir(
  spoolDir: string,
  context: string,
  mailbox: string,
  folder: SpoolFolder,
): string {
  return path.join(spoolDir, context, mailbox, folder);
}
