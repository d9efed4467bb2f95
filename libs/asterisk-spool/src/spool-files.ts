import { randomBytes } from 'node:crypto';
import { copyFile, link, lstat, mkdir, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { VmsyncError } from '@vmsync/errors';
import { MESSAGE_SLOT_FILE, slotName } from './spool-layout.js';

/**
 * The file operations app_voicemail performs on a folder it holds the lock of. Callers
 * hold the folder locks; nothing here locks.
 */

/** Files of one message slot `msgNNNN.*`, by extension. */
export type Slots = Map<number, string[]>;

/** Names vmsync gives files it is still writing; hidden and not `msg*`, so Asterisk skips them. */
export const TEMP_PREFIX = '.vmsync-';

export class UnsafeSpoolFileError extends VmsyncError {
  constructor(file: string, why: string) {
    super('SPOOL_UNSAFE_FILE', `${file}: ${why}; refusing to touch it`, { retriable: false });
    this.name = 'UnsafeSpoolFileError';
  }
}

/** Lists a folder's message slots. A missing folder is an empty one. */
export async function listSlots(dir: string): Promise<Slots> {
  const slots: Slots = new Map();
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return slots;
    throw error;
  }
  for (const e of entries) {
    const m = MESSAGE_SLOT_FILE.exec(e.name);
    if (!m) continue;
    if (!e.isFile()) throw new UnsafeSpoolFileError(path.join(dir, e.name), 'not a regular file');
    const n = Number(m[1]);
    const ext = m[2] ?? '';
    const list = slots.get(n);
    if (list) list.push(ext);
    else slots.set(n, [ext]);
  }
  return slots;
}

/** LAST_MSG_INDEX: the highest slot that has a `.txt`, or -1. New messages go one above it. */
export function lastMessageIndex(slots: Slots): number {
  let last = -1;
  for (const [n, exts] of slots) if (exts.includes('txt') && n > last) last = n;
  return last;
}

/** Slots holding a message (any file), lowest first. */
export function occupied(slots: Slots): number[] {
  return [...slots.keys()].sort((a, b) => a - b);
}

/** Audio first and metadata last, as Asterisk renames them: a message is whole once its .txt is there. */
function txtLast(exts: readonly string[]): string[] {
  return [...exts.filter((e) => e !== 'txt'), ...exts.filter((e) => e === 'txt')];
}

/**
 * Copies every file of a slot into another folder's slot, each written under a temporary
 * name and renamed into place, so no reader ever sees half a file. Hard links where the
 * filesystem allows (Asterisk's HARDLINK_WHEN_POSSIBLE), else a byte copy.
 */
export async function copySlot(
  fromDir: string,
  fromNum: number,
  toDir: string,
  toNum: number,
  exts: readonly string[],
): Promise<void> {
  await mkdir(toDir, { recursive: true });
  for (const ext of txtLast(exts)) {
    const src = path.join(fromDir, slotName(fromNum, ext));
    const temp = path.join(toDir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    const st = await lstat(src);
    if (!st.isFile()) throw new UnsafeSpoolFileError(src, 'not a regular file');
    try {
      await link(src, temp);
    } catch {
      await copyFile(src, temp);
    }
    try {
      await rename(temp, path.join(toDir, slotName(toNum, ext)));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
}

/** vm_delete: the .txt goes first, so the message stops existing before its audio goes. */
export async function removeSlot(dir: string, num: number, exts: readonly string[]): Promise<void> {
  const order = [...exts.filter((e) => e === 'txt'), ...exts.filter((e) => e !== 'txt')];
  for (const ext of order) {
    await unlink(path.join(dir, slotName(num, ext))).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

/** Renames a slot's files to another number: audio first, then .txt (rename_file). */
export async function renameSlot(
  dir: string,
  fromNum: number,
  toNum: number,
  exts: readonly string[],
): Promise<void> {
  for (const ext of txtLast(exts)) {
    await rename(path.join(dir, slotName(fromNum, ext)), path.join(dir, slotName(toNum, ext)));
  }
}

/**
 * resequence_mailbox: closes the gaps so the folder holds msg0000..msg(n-1), keeping the
 * order. Returns the number of messages.
 */
export async function resequenceFolder(dir: string): Promise<number> {
  const slots = await listSlots(dir);
  let dest = 0;
  for (const n of occupied(slots)) {
    if (n !== dest) await renameSlot(dir, n, dest, slots.get(n) ?? []);
    dest++;
  }
  return dest;
}

/**
 * Removes temporary files left by a vmsync writer that died mid-copy. Only call it while
 * holding the folder's lock: any temp file present then belongs to nobody.
 */
export async function removeStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(TEMP_PREFIX)) await unlink(path.join(dir, name)).catch(() => undefined);
  }
}
