import { constants } from 'node:fs';
import { mkdir, open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { VmsyncError } from '@vmsync/errors';
import type { VoicemailAction } from '@vmsync/events';
import { withFolderLocks } from './folder-lock.js';
import { MAX_METADATA_BYTES } from './message-metadata.js';
import {
  copySlot,
  lastMessageIndex,
  listSlots,
  removeSlot,
  removeStaleTemps,
  renameSlot,
  resequenceFolder,
  type Slots,
  UnsafeSpoolFileError,
} from './spool-files.js';
import {
  DEFAULT_MAX_MSG,
  FOLDERS,
  folderRank,
  folderState,
  isSafeSegment,
  NEW_FOLDERS,
  type SpoolFolder,
  slotName,
} from './spool-layout.js';
import { type SpoolMessage, SpoolReader } from './spool-reader.js';
import type { ApplyResult } from './voicemail-store.port.js';

/** The per-mailbox limits app_voicemail applies (from voicemail.conf). */
export interface MailboxLimits {
  /** `maxmsg`: a full folder refuses a message. */
  maxMsg: number;
  /** `backupdeleted`: how many messages Deleted keeps; 0 (Asterisk keeps none) uses the default 100. */
  maxDeleted: number;
}

export interface SpoolWriterOptions {
  lockTimeoutMs?: number;
  /** Shared with a watcher to reuse its digest cache. */
  reader?: SpoolReader;
}

const SAVED_FOLDERS = FOLDERS.filter((f) => f !== 'Deleted' && !NEW_FOLDERS.includes(f));
const LIVE_FOLDERS = FOLDERS.filter((f) => f !== 'Deleted');

interface Plan {
  target: SpoolFolder;
  /** Folders the message must leave. */
  vacate: readonly SpoolFolder[];
}

/**
 * Carries out VoicemailActions on an app_voicemail spool the way app_voicemail itself moves
 * messages: under the folders' locks, copy the message's files to the next number of the
 * target folder, remove them from the source, and resequence the source so its numbers stay
 * contiguous. Every action is "make it so": applying it again returns `already`.
 *
 * - ensure-heard:   INBOX/Urgent -> Old.
 * - ensure-unheard: Old or another saved folder -> INBOX (Urgent if the message is flagged
 *                   Urgent, where Asterisk filed it to begin with).
 * - ensure-deleted: any live folder -> Deleted (recoverable; capped like backupdeleted).
 * - ensure-saved:   Deleted -> Old, i.e. undelete as heard. A message that is not deleted
 *                   (even one still new) is left where it is.
 * Heard/unheard never undelete: on a deleted message they change nothing.
 */
export class SpoolWriter {
  readonly reader: SpoolReader;
  private readonly lockTimeoutMs: number | undefined;

  constructor(spoolDir: string, options: SpoolWriterOptions = {}) {
    this.reader = options.reader ?? new SpoolReader(spoolDir);
    this.lockTimeoutMs = options.lockTimeoutMs;
  }

  async apply(
    context: string,
    mailbox: string,
    msgId: string,
    action: VoicemailAction,
    limits: MailboxLimits = { maxMsg: DEFAULT_MAX_MSG, maxDeleted: 0 },
  ): Promise<ApplyResult> {
    if (!isSafeSegment(context) || !isSafeSegment(mailbox)) {
      throw new VmsyncError(
        'SPOOL_BAD_MAILBOX',
        `'${mailbox}@${context}' is not a spool mailbox name`,
      );
    }
    // The lock-free look tells where the message is; under the locks that is checked
    // again, and if it moved meanwhile (Asterisk acted), the look is retried.
    for (let attempt = 0; attempt < 5; attempt++) {
      const found = await this.reader.readMessage(context, mailbox, msgId);
      if (found.status === 'purged') {
        return { outcome: 'not-found', before: found.state, after: found.state };
      }
      if (found.status === 'unknown') {
        throw new VmsyncError(
          'SPOOL_MESSAGE_UNKNOWN',
          `${msgId} in ${mailbox}@${context} cannot be read now (${found.reason}: ${found.detail})`,
          { retriable: true },
        );
      }
      const plan = planFor(action, found);
      if (plan === null) return { outcome: 'already', before: found.state, after: found.state };
      const done = await this.execute(context, mailbox, msgId, found, plan, limits);
      if (done) return { outcome: 'applied', before: found.state, after: folderState(plan.target) };
    }
    throw new VmsyncError(
      'SPOOL_MESSAGE_MOVING',
      `${msgId} in ${mailbox}@${context} kept moving while vmsync tried to act on it`,
      { retriable: true },
    );
  }

  /** Returns false when, under the locks, the message was no longer where the look saw it. */
  private async execute(
    context: string,
    mailbox: string,
    msgId: string,
    found: SpoolMessage,
    plan: Plan,
    limits: MailboxLimits,
  ): Promise<boolean> {
    const root = await this.reader.spoolRoot();
    const boxDir = path.join(root, context, mailbox);
    const dirOf = (f: SpoolFolder) => path.join(boxDir, f);
    const holding = [...new Set(found.copies.map((c) => c.folder))].filter((f) =>
      plan.vacate.includes(f),
    );
    const folders = [...new Set<SpoolFolder>([plan.target, ...holding])];
    await assertInside(root, boxDir);
    for (const f of folders) await assertInside(root, dirOf(f));
    await mkdir(dirOf(plan.target), { recursive: true });

    return withFolderLocks(
      folders.map(dirOf),
      async () => {
        for (const f of folders) await removeStaleTemps(dirOf(f));
        const where = new Map<SpoolFolder, { slots: Slots; mine: number[] }>();
        for (const f of folders) {
          const slots = await listSlots(dirOf(f));
          where.set(f, { slots, mine: await slotsHolding(dirOf(f), slots, msgId) });
        }
        const sources = holding.filter((f) => (where.get(f)?.mine.length ?? 0) > 0);
        const inTarget = (where.get(plan.target)?.mine.length ?? 0) > 0;
        if (sources.length === 0) return false;

        if (!inTarget) {
          const from = [...sources].sort((a, b) => folderRank(a) - folderRank(b))[0] as SpoolFolder;
          const fromNum = where.get(from)?.mine[0] as number;
          const fromExts = where.get(from)?.slots.get(fromNum) ?? [];
          const target = where.get(plan.target) as { slots: Slots };
          const toNum = await this.makeRoom(dirOf(plan.target), plan.target, target.slots, limits);
          await copySlot(dirOf(from), fromNum, dirOf(plan.target), toNum, fromExts);
        }
        // Never leave a duplicate behind: every copy in a folder being vacated goes.
        for (const f of sources) {
          const w = where.get(f);
          if (!w) continue;
          for (const n of w.mine) await removeSlot(dirOf(f), n, w.slots.get(n) ?? []);
          await resequenceFolder(dirOf(f));
        }
        return true;
      },
      this.lockTimeoutMs === undefined ? {} : { timeoutMs: this.lockTimeoutMs },
    );
  }

  /** save_to_folder's numbering: highest + 1; Deleted drops its oldest when full, others refuse. */
  private async makeRoom(
    dir: string,
    folder: SpoolFolder,
    slots: Slots,
    limits: MailboxLimits,
  ): Promise<number> {
    let next = lastMessageIndex(slots) + 1;
    if (folder === 'Deleted') {
      const cap = limits.maxDeleted > 0 ? limits.maxDeleted : DEFAULT_MAX_MSG;
      if (next >= cap) {
        // Asterisk pushes every message down one slot; msg0000, the oldest, is purged.
        await removeSlot(dir, 0, slots.get(0) ?? []);
        for (let i = 1; i < next; i++) {
          const exts = slots.get(i);
          if (!exts) break;
          await renameSlot(dir, i, i - 1, exts);
        }
        next--;
      }
      return next;
    }
    if (next >= limits.maxMsg) {
      throw new VmsyncError(
        'SPOOL_FOLDER_FULL',
        `${dir} already holds maxmsg=${limits.maxMsg} messages`,
        {
          retriable: false,
        },
      );
    }
    return next;
  }
}

/** Which folder the message must end up in, or null when it already is in a fitting state. */
export function planFor(action: VoicemailAction, message: SpoolMessage): Plan | null {
  const state = message.state.folder;
  switch (action) {
    case 'ensure-heard':
      return state === 'new' ? { target: 'Old', vacate: NEW_FOLDERS } : null;
    case 'ensure-unheard':
      return state === 'saved'
        ? { target: message.metadata.flag === 'Urgent' ? 'Urgent' : 'INBOX', vacate: SAVED_FOLDERS }
        : null;
    case 'ensure-deleted':
      return state === 'new' || state === 'saved'
        ? { target: 'Deleted', vacate: LIVE_FOLDERS }
        : null;
    case 'ensure-saved':
      return state === 'deleted' ? { target: 'Old', vacate: ['Deleted'] } : null;
  }
}

/** The slots of a locked folder whose metadata names `msgId`. */
async function slotsHolding(dir: string, slots: Slots, msgId: string): Promise<number[]> {
  const out: number[] = [];
  for (const [n, exts] of [...slots].sort((a, b) => a[0] - b[0])) {
    if (!exts.includes('txt')) continue;
    if ((await readMsgId(path.join(dir, slotName(n, 'txt')))) === msgId) out.push(n);
  }
  return out;
}

async function readMsgId(file: string): Promise<string | null> {
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(MAX_METADATA_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    return /^\s*msg_id\s*=\s*([\x21-\x7e]+)\s*$/m.exec(text)?.[1] ?? null;
  } finally {
    await handle.close();
  }
}

async function assertInside(root: string, dir: string): Promise<void> {
  const real = await realpath(dir).catch(() => null);
  if (real === null) return; // created on demand below the (checked) mailbox
  if (real !== root && !real.startsWith(`${root}${path.sep}`)) {
    throw new UnsafeSpoolFileError(dir, 'resolves outside the spool');
  }
}
