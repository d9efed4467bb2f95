import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  copySlot,
  DEFAULT_MAX_MSG,
  FOLDERS,
  folderDir,
  lastMessageIndex,
  listSlots,
  removeSlot,
  renameSlot,
  resequenceFolder,
  type SpoolFolder,
  slotName,
  withFolderLocks,
} from '@vmsync/asterisk-spool';

/**
 * What a caller in VoicemailMain (or an AMI VoicemailMove/Remove) does to the files, as
 * app_voicemail's close_mailbox and save_to_folder do it: copy to the next number of the
 * target folder, then drop the message from its folder and close the gap. With
 * `backupdeleted` on, a message that leaves a folder for any reason but "heard" is also
 * copied into Deleted — the copies that make Deleted unreliable as a state on its own.
 */
export interface MailboxTarget {
  spoolDir: string;
  mailbox: string;
  context?: string;
  /** `backupdeleted`: 0 = a delete removes the files; N = Deleted keeps N messages. */
  maxDeleted?: number;
  maxMsg?: number;
}

export type ActionResult =
  | { done: true; from: SpoolFolder; to: SpoolFolder | null }
  | { done: false; why: string };

const LIVE = FOLDERS.filter((f) => f !== 'Deleted');
const SAVED = FOLDERS.filter((f) => f !== 'Deleted' && f !== 'INBOX' && f !== 'Urgent');

/** Listening with moveheard=yes: INBOX/Urgent -> end of Old when the caller leaves the folder. */
export function listen(t: MailboxTarget, msgId: string): Promise<ActionResult> {
  return move(t, msgId, ['INBOX', 'Urgent'], 'Old', false);
}

/** AMI VoicemailMove Old (or another saved folder) -> INBOX; a Deleted copy if backupdeleted. */
export function markUnheard(t: MailboxTarget, msgId: string): Promise<ActionResult> {
  return move(t, msgId, SAVED, 'INBOX', true);
}

/** "Save to folder" in VoicemailMain (or AMI VoicemailMove); a Deleted copy if backupdeleted. */
export function saveToFolder(
  t: MailboxTarget,
  msgId: string,
  folder: SpoolFolder,
): Promise<ActionResult> {
  return move(
    t,
    msgId,
    LIVE.filter((f) => f !== folder),
    folder,
    true,
  );
}

/** Delete in VoicemailMain: into Deleted when backupdeleted is on, else the files go. */
export function deleteMessage(t: MailboxTarget, msgId: string): Promise<ActionResult> {
  if ((t.maxDeleted ?? 0) > 0) return move(t, msgId, LIVE, 'Deleted', false);
  return move(t, msgId, LIVE, null, false);
}

/**
 * AMI VoicemailMove Deleted -> Old. With backupdeleted, Deleted also holds copies of
 * messages that are still in another folder, and Asterisk moves such a copy back like any
 * other: the message is then twice in the mailbox, by the user's own doing.
 * `onlyIfDeleted`: a user restoring only what is deleted (no copy in another folder).
 */
export function undelete(
  t: MailboxTarget,
  msgId: string,
  options: { onlyIfDeleted?: boolean } = {},
): Promise<ActionResult> {
  return move(t, msgId, ['Deleted'], 'Old', false, options.onlyIfDeleted ?? false);
}

/** AMI VoicemailRemove from Deleted: gone for good. */
export function purge(t: MailboxTarget, msgId: string): Promise<ActionResult> {
  return move(t, msgId, ['Deleted'], null, false);
}

async function move(
  t: MailboxTarget,
  msgId: string,
  sources: readonly SpoolFolder[],
  to: SpoolFolder | null,
  backupCopy: boolean,
  onlyIfNotLive = false,
): Promise<ActionResult> {
  const context = t.context ?? 'default';
  const dirOf = (f: SpoolFolder) => folderDir(t.spoolDir, context, t.mailbox, f);
  const maxDeleted = t.maxDeleted ?? 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const from = await locate(
      sources.map((f) => [f, dirOf(f)] as const),
      msgId,
    );
    if (from === null) return { done: false, why: `${msgId} is not in ${sources.join('/')}` };
    const targets: SpoolFolder[] = [];
    if (to !== null) targets.push(to);
    if (backupCopy && maxDeleted > 0 && to !== 'Deleted') targets.push('Deleted');
    // create_dirpath: a folder exists once something is put in it.
    for (const target of targets) await mkdir(dirOf(target), { recursive: true });
    // Checked under the locks of every folder, so no move elsewhere slips in between.
    const guarded = onlyIfNotLive ? LIVE.filter((f) => f !== from) : [];
    for (const f of guarded) await mkdir(dirOf(f), { recursive: true });
    const locked = [dirOf(from), ...targets.map(dirOf), ...guarded.map(dirOf)];
    const result = await withFolderLocks(locked, async () => {
      const live = await locate(
        guarded.map((f) => [f, dirOf(f)] as const),
        msgId,
      );
      if (live !== null)
        return { done: false as const, why: `${msgId} is not deleted: in ${live}` };
      const slots = await listSlots(dirOf(from));
      const num = await findSlot(dirOf(from), slots, msgId);
      if (num === null) return null; // moved meanwhile: look again
      const exts = slots.get(num) ?? [];
      for (const target of targets) {
        const dir = dirOf(target);
        const dest = await listSlots(dir);
        let x = lastMessageIndex(dest) + 1;
        if (target === 'Deleted') {
          if (x >= (maxDeleted > 0 ? maxDeleted : DEFAULT_MAX_MSG)) {
            await removeSlot(dir, 0, dest.get(0) ?? []);
            for (let i = 1; i < x && dest.has(i); i++)
              await renameSlot(dir, i, i - 1, dest.get(i) ?? []);
            x--;
          }
        } else if (x >= (t.maxMsg ?? DEFAULT_MAX_MSG)) {
          // Asterisk keeps the message where it was when the target is full.
          return { done: false as const, why: `${target} is full` };
        }
        await copySlot(dirOf(from), num, dir, x, exts);
      }
      await removeSlot(dirOf(from), num, exts);
      await resequenceFolder(dirOf(from));
      return { done: true as const, from, to };
    });
    if (result !== null) return result;
  }
  return { done: false, why: `${msgId} kept moving` };
}

async function locate(
  folders: ReadonlyArray<readonly [SpoolFolder, string]>,
  msgId: string,
): Promise<SpoolFolder | null> {
  for (const [folder, dir] of folders) {
    if ((await findSlot(dir, await listSlots(dir), msgId)) !== null) return folder;
  }
  return null;
}

async function findSlot(
  dir: string,
  slots: Map<number, string[]>,
  msgId: string,
): Promise<number | null> {
  for (const n of [...slots.keys()].sort((a, b) => a - b)) {
    if (!slots.get(n)?.includes('txt')) continue;
    const text = await readFile(path.join(dir, slotName(n, 'txt')), 'utf8').catch(() => '');
    if (/^msg_id=(.*)$/m.exec(text)?.[1]?.trim() === msgId) return n;
  }
  return null;
}
