import { createHash } from 'node:crypto';
import { constants, type Dirent, type Stats } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmsyncError } from '@vmsync/errors';
import type { VoicemailAudio, VoicemailState } from '@vmsync/events';
import {
  MAX_METADATA_BYTES,
  type MessageMetadata,
  MessageMetadataError,
  parseMessageMetadata,
} from './message-metadata.js';
import { deriveMessageState, type MessageCopy, type UnreadableCopy } from './message-state.js';
import { TEMP_PREFIX } from './spool-files.js';
import {
  AUDIO_EXTENSIONS,
  isSafeSegment,
  isSpoolFolder,
  MESSAGE_FILE,
  MESSAGE_SLOT_FILE,
  mailboxId,
  type SpoolFolder,
} from './spool-layout.js';

/** Why a message could not be read. All are "look again later", none is "deleted". */
export type UnknownReason =
  | 'partial-metadata'
  | 'corrupt-metadata'
  | 'missing-metadata'
  | 'missing-audio'
  | 'no-msg-id'
  | 'unknown-folder'
  | 'unreadable'
  | 'symlink'
  | 'outside-spool'
  | 'changing'
  | 'unstable';

export interface SpoolMessage {
  status: 'known';
  /** `mailbox@context`. */
  mailbox: string;
  msgId: string;
  state: VoicemailState;
  /** The copy the state is read from. */
  location: MessageCopy;
  /** Every readable copy (backup copies in Deleted included). */
  copies: MessageCopy[];
  audio: VoicemailAudio;
  /** The audio file's identity (device, inode, size, modification time): see `identity`. */
  audioFile: string;
  metadata: MessageMetadata;
}

export interface UnknownMessage {
  status: 'unknown';
  mailbox: string;
  /** Null when not even the msg_id could be read. */
  msgId: string | null;
  folder: string | null;
  msgnum: number | null;
  reason: UnknownReason;
  detail: string;
}

export interface PurgedMessage {
  status: 'purged';
  mailbox: string;
  msgId: string;
  state: VoicemailState;
}

export interface MailboxScan {
  mailbox: string;
  messages: SpoolMessage[];
  unknown: UnknownMessage[];
  /**
   * True when the scan saw one consistent spool and nothing that could hide a message:
   * only then does a msg_id missing from `messages` and `unknown` mean purged.
   */
  complete: boolean;
  /** The mailbox's version (mailboxVersion) when the scan began; set when the scan is whole. */
  version?: string;
}

/** Reasons that cannot hide some other msg_id (the file was read whole; it just has no id). */
const HARMLESS_ANONYMOUS: ReadonlySet<UnknownReason> = new Set(['no-msg-id']);

interface SlotRead {
  folder: SpoolFolder | null;
  folderName: string;
  msgnum: number;
  result:
    | {
        ok: true;
        msgId: string;
        metadata: MessageMetadata;
        audio: VoicemailAudio;
        audioFile: string;
      }
    | { ok: false; msgId: string | null; reason: UnknownReason; detail: string };
}

export interface SpoolReaderOptions {
  /** Scans redone when the spool changed under a scan, before giving up as `unstable`. */
  maxAttempts?: number;
  /** Audio digests remembered by file identity, so a rescan does not re-hash. */
  digestCacheSize?: number;
}

/**
 * Reads the state of mailboxes from an app_voicemail spool without taking Asterisk's
 * locks (a watcher must never block the PBX). What it cannot read for certain is reported
 * `unknown` with a reason, never left out: DESIGN.md §2 forbids "not found" from a
 * half-written or unreadable spool turning into a deletion.
 */
export class SpoolReader {
  readonly spoolDir: string;
  private root: string | null = null;
  private readonly maxAttempts: number;
  private readonly digests = new Map<string, string>();
  private readonly digestCacheSize: number;

  constructor(spoolDir: string, options: SpoolReaderOptions = {}) {
    this.spoolDir = path.resolve(spoolDir);
    this.maxAttempts = options.maxAttempts ?? 4;
    this.digestCacheSize = options.digestCacheSize ?? 50_000;
  }

  /** The spool's real path; throws (retriable) when the spool itself is missing or unreadable. */
  async spoolRoot(): Promise<string> {
    if (this.root !== null) return this.root;
    try {
      this.root = await realpath(this.spoolDir);
      await readdir(this.root);
      return this.root;
    } catch (error) {
      this.root = null;
      // Never read a missing spool (an unmounted volume) as "every message purged".
      throw new VmsyncError(
        'SPOOL_UNAVAILABLE',
        `spool ${this.spoolDir} cannot be read: ${(error as Error).message}`,
        {
          retriable: true,
          cause: error,
        },
      );
    }
  }

  /** `<context>/<mailbox>` directories present in the spool. */
  async listMailboxDirs(): Promise<Array<{ context: string; mailbox: string }>> {
    const root = await this.spoolRoot();
    const out: Array<{ context: string; mailbox: string }> = [];
    for (const c of await readdir(root, { withFileTypes: true })) {
      if (!isSafeSegment(c.name) || !(await this.isDirInside(path.join(root, c.name), c))) continue;
      let boxes: Dirent[];
      try {
        boxes = await readdir(path.join(root, c.name), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const b of boxes) {
        const dir = path.join(root, c.name, b.name);
        if (isSafeSegment(b.name) && (await this.isDirInside(dir, b))) {
          out.push({ context: c.name, mailbox: b.name });
        }
      }
    }
    return out;
  }

  async scanMailbox(context: string, mailbox: string): Promise<MailboxScan> {
    if (!isSafeSegment(context) || !isSafeSegment(mailbox)) {
      throw new VmsyncError(
        'SPOOL_BAD_MAILBOX',
        `'${mailbox}@${context}' is not a spool mailbox name`,
      );
    }
    const root = await this.spoolRoot();
    const id = mailboxId(context, mailbox);
    const dir = path.join(root, context, mailbox);
    let last: MailboxScan | null = null;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const before = await this.listing(dir, true);
      const scan = await this.scanOnce(id, dir);
      const after = await this.listing(dir);
      // A message moved between two folders while they were read one after the other
      // could be missed in both: only a scan the spool did not change under is complete.
      if (before.names === after.names) {
        return scan.complete ? { ...scan, version: versionOf(before) } : scan;
      }
      last = scan;
    }
    const result = last ?? { mailbox: id, messages: [], unknown: [], complete: false };
    return {
      ...result,
      complete: false,
      unknown: [
        ...result.unknown,
        {
          status: 'unknown',
          mailbox: id,
          msgId: null,
          folder: null,
          msgnum: null,
          reason: 'unstable',
          detail: `the mailbox kept changing over ${this.maxAttempts} scans`,
        },
      ],
    };
  }

  /** One message by msg_id: known, unknown (look again later), or purged (no folder holds it). */
  async readMessage(
    context: string,
    mailbox: string,
    msgId: string,
  ): Promise<SpoolMessage | UnknownMessage | PurgedMessage> {
    const scan = await this.scanMailbox(context, mailbox);
    return findInScan(scan, msgId);
  }

  /**
   * A token that changes whenever a file is added to, removed from or renamed in any of the
   * mailbox's folders since it was last taken (each folder's modification time, read
   * before its names, and the names): equal to a whole scan's `version` only if nothing
   * changed since that scan began. A periodic rescan compares it instead of reading every
   * message again.
   */
  async mailboxVersion(context: string, mailbox: string): Promise<string> {
    if (!isSafeSegment(context) || !isSafeSegment(mailbox)) {
      throw new VmsyncError(
        'SPOOL_BAD_MAILBOX',
        `'${mailbox}@${context}' is not a spool mailbox name`,
      );
    }
    return versionOf(await this.listing(path.join(await this.spoolRoot(), context, mailbox), true));
  }

  /**
   * Names of every message file and folder, as one string to compare two moments by; with
   * `times`, each folder's modification time too, read before its names (a change after
   * the read moves it, one before shows in the names).
   */
  private async listing(dir: string, times = false): Promise<{ names: string; times: string }> {
    const parts: string[] = [];
    const stamps: string[] = [];
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      return { names: `!${(error as NodeJS.ErrnoException).code ?? 'error'}`, times: '' };
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!e.isDirectory() && !e.isSymbolicLink()) continue;
      const folder = path.join(dir, e.name);
      try {
        if (times) {
          const st = await stat(folder, { bigint: true });
          stamps.push(`${st.ino}:${st.mtimeNs}:${st.ctimeNs}`);
        }
        const names = (await readdir(folder)).filter((n) => MESSAGE_SLOT_FILE.test(n)).sort();
        parts.push(`${e.name}/${names.join(',')}`);
      } catch (error) {
        parts.push(`${e.name}!${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    }
    return { names: parts.join('|'), times: stamps.join(',') };
  }

  private async scanOnce(id: string, dir: string): Promise<MailboxScan> {
    const unknown: UnknownMessage[] = [];
    const anonymous = (
      folder: string | null,
      reason: UnknownReason,
      detail: string,
      msgnum: number | null = null,
    ) =>
      unknown.push({ status: 'unknown', mailbox: id, msgId: null, folder, msgnum, reason, detail });

    let entries: Dirent[];
    try {
      const st = await lstat(dir);
      if (st.isSymbolicLink() && !(await this.inside(dir))) {
        anonymous(null, 'outside-spool', `${dir} links out of the spool`);
        return { mailbox: id, messages: [], unknown, complete: false };
      }
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      // No mailbox directory: Asterisk has never stored a message here.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { mailbox: id, messages: [], unknown, complete: true };
      }
      anonymous(null, 'unreadable', `${dir}: ${(error as Error).message}`);
      return { mailbox: id, messages: [], unknown, complete: false };
    }

    const perFolder = await Promise.all(
      entries.map(async (e): Promise<SlotRead[]> => {
        if (!e.isDirectory() && !e.isSymbolicLink()) return []; // greetings, secret.conf
        const folderPath = path.join(dir, e.name);
        if (e.isSymbolicLink()) {
          let target: Stats;
          try {
            target = await lstat(await realpath(folderPath));
          } catch {
            return []; // a dangling link holds nothing
          }
          if (!target.isDirectory()) return [];
          if (!(await this.inside(folderPath))) {
            anonymous(e.name, 'outside-spool', `${folderPath} links out of the spool`);
            return [];
          }
        }
        const folder = isSpoolFolder(e.name) ? e.name : null;
        const slots = await this.readFolder(folderPath, e.name, folder);
        if ('error' in slots) {
          anonymous(e.name, 'unreadable', slots.error);
          return [];
        }
        return slots;
      }),
    );
    const reads = perFolder.flat();

    const byId = new Map<
      string,
      { copies: MessageCopy[]; unreadable: UnreadableCopy[]; reads: SlotRead[] }
    >();
    const group = (msgId: string) => {
      let g = byId.get(msgId);
      if (!g) {
        g = { copies: [], unreadable: [], reads: [] };
        byId.set(msgId, g);
      }
      return g;
    };
    for (const r of reads) {
      const res = r.result;
      if (res.ok && r.folder !== null) {
        const g = group(res.msgId);
        g.copies.push({ folder: r.folder, msgnum: r.msgnum });
        g.reads.push(r);
      } else if (res.msgId !== null) {
        const reason = res.ok ? 'unknown-folder' : res.reason;
        const detail = res.ok
          ? `message in folder '${r.folderName}' that Asterisk does not know`
          : res.detail;
        const g = group(res.msgId);
        g.unreadable.push({ folder: r.folder, reason: `${reason}: ${detail}` });
        g.reads.push({ ...r, result: { ok: false, msgId: res.msgId, reason, detail } });
      } else if (!res.ok) {
        anonymous(r.folderName, res.reason, res.detail, r.msgnum);
      }
    }

    const messages: SpoolMessage[] = [];
    for (const [msgId, g] of byId) {
      const derived = deriveMessageState(g.copies, g.unreadable);
      if (derived.status === 'known') {
        const bestRead = g.reads.find(
          (r) => r.folder === derived.best.folder && r.msgnum === derived.best.msgnum,
        );
        if (bestRead?.result.ok) {
          messages.push({
            status: 'known',
            mailbox: id,
            msgId,
            state: derived.state,
            location: derived.best,
            copies: g.copies,
            audio: bestRead.result.audio,
            audioFile: bestRead.result.audioFile,
            metadata: bestRead.result.metadata,
          });
          continue;
        }
      }
      const bad = g.reads.find((r) => !r.result.ok);
      const reason = bad && !bad.result.ok ? bad.result.reason : 'changing';
      unknown.push({
        status: 'unknown',
        mailbox: id,
        msgId,
        folder: bad?.folderName ?? null,
        msgnum: bad?.msgnum ?? null,
        reason,
        detail: derived.status === 'unknown' ? derived.reason : 'state could not be derived',
      });
    }
    const complete = unknown.every((u) => u.msgId !== null || HARMLESS_ANONYMOUS.has(u.reason));
    return { mailbox: id, messages, unknown, complete };
  }

  private async readFolder(
    folderPath: string,
    folderName: string,
    folder: SpoolFolder | null,
  ): Promise<SlotRead[] | { error: string }> {
    let entries: Dirent[];
    try {
      entries = await readdir(folderPath, { withFileTypes: true });
    } catch (error) {
      return { error: `${folderPath}: ${(error as Error).message}` };
    }
    const slots = new Map<number, Dirent[]>();
    for (const e of entries) {
      if (e.name.startsWith('.lock') || e.name.startsWith(TEMP_PREFIX)) continue;
      const m = MESSAGE_SLOT_FILE.exec(e.name);
      if (!m) continue; // never read names Asterisk would not have written
      const n = Number(m[1]);
      const list = slots.get(n);
      if (list) list.push(e);
      else slots.set(n, [e]);
    }
    // Read-only, so the slots are read side by side (libuv's pool does the waiting).
    return Promise.all(
      [...slots]
        .sort((a, b) => a[0] - b[0])
        .map(async ([msgnum, files]) => ({
          folder,
          folderName,
          msgnum,
          result: await this.readSlot(folderPath, msgnum, files),
        })),
    );
  }

  private async readSlot(
    folderPath: string,
    msgnum: number,
    files: Dirent[],
  ): Promise<SlotRead['result']> {
    let last: SlotRead['result'] | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await this.readSlotOnce(folderPath, msgnum, files);
      if (r !== 'changed') return r;
      last = {
        ok: false,
        msgId: null,
        reason: 'changing',
        detail: `msg${msgnum} changed while it was read`,
      };
    }
    return last ?? { ok: false, msgId: null, reason: 'changing', detail: 'changing' };
  }

  private async readSlotOnce(
    folderPath: string,
    msgnum: number,
    files: Dirent[],
  ): Promise<SlotRead['result'] | 'changed'> {
    const name = (ext: string) => `msg${String(msgnum).padStart(4, '0')}.${ext}`;
    const where = (ext: string) => path.join(folderPath, name(ext));
    const fail = (reason: UnknownReason, detail: string, msgId: string | null = null) =>
      ({ ok: false, msgId, reason, detail }) as const;

    for (const f of files) {
      if (!MESSAGE_FILE.test(f.name)) continue;
      if (f.isSymbolicLink())
        return fail('symlink', `${path.join(folderPath, f.name)} is a symlink`);
      if (!f.isFile())
        return fail('unreadable', `${path.join(folderPath, f.name)} is not a regular file`);
    }
    const names = new Set(files.map((f) => f.name));
    if (!names.has(name('txt'))) {
      return fail('missing-metadata', `${where('txt')} is missing (being written?)`);
    }

    let txt: { text: string; st: Stats };
    try {
      txt = await readText(where('txt'));
    } catch (error) {
      return fail(errnoReason(error), `${where('txt')}: ${(error as Error).message}`);
    }
    let metadata: MessageMetadata;
    try {
      metadata = parseMessageMetadata(txt.text, where('txt'));
    } catch (error) {
      const guess = /^\s*msg_id\s*=\s*([\x21-\x7e]{1,255})\s*$/m.exec(txt.text)?.[1] ?? null;
      if (error instanceof MessageMetadataError) {
        return fail(
          error.problem === 'partial' ? 'partial-metadata' : 'corrupt-metadata',
          error.message,
          guess,
        );
      }
      throw error;
    }
    if (metadata.msgId === null) {
      return fail('no-msg-id', `${where('txt')} has no msg_id (written before Asterisk 12?)`);
    }
    const ext = AUDIO_EXTENSIONS.find((e) => names.has(name(e)));
    if (ext === undefined) {
      return fail(
        'missing-audio',
        `no msg${msgnum} audio (wav, WAV, gsm) beside ${where('txt')}`,
        metadata.msgId,
      );
    }
    let audio: { sha256: string; st: Stats };
    try {
      audio = await this.digest(where(ext));
    } catch (error) {
      return fail(errnoReason(error), `${where(ext)}: ${(error as Error).message}`, metadata.msgId);
    }
    // Both files must still be the ones read: a rename in between (resequencing) would
    // pair one message's metadata with another's audio.
    if (!(await sameFile(where('txt'), txt.st)) || !(await sameFile(where(ext), audio.st))) {
      return 'changed';
    }
    return {
      ok: true,
      msgId: metadata.msgId,
      metadata,
      // `.WAV` is Asterisk's wav49 (GSM in a WAV container).
      audio: { size: audio.st.size, sha256: audio.sha256, format: ext === 'WAV' ? 'wav49' : ext },
      audioFile: identity(audio.st),
    };
  }

  /**
   * Digests computed before, by audio file identity (SpoolMessage.audioFile): e.g. what a
   * restarted watcher remembers, so its start-up snapshot hashes only audio that changed.
   * A file whose identity differs is hashed again, whatever was remembered.
   */
  rememberDigests(known: Iterable<{ file: string; sha256: string }>): void {
    for (const { file, sha256 } of known) this.#cacheDigest(file, sha256);
  }

  #cacheDigest(file: string, sha256: string): void {
    if (this.digests.has(file)) return;
    if (this.digests.size >= this.digestCacheSize) {
      const oldest = this.digests.keys().next().value;
      if (oldest !== undefined) this.digests.delete(oldest);
    }
    this.digests.set(file, sha256);
  }

  private async digest(file: string): Promise<{ sha256: string; st: Stats }> {
    // A file already hashed is known by its identity; only a new one is opened.
    const seen = await lstat(file);
    const cached = seen.isFile() ? this.digests.get(identity(seen)) : undefined;
    if (cached !== undefined) return { sha256: cached, st: seen };
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = await handle.stat();
      const key = identity(st);
      const hash = createHash('sha256');
      for await (const chunk of handle.createReadStream({ autoClose: false }))
        hash.update(chunk as Buffer);
      const sha256 = hash.digest('hex');
      this.#cacheDigest(key, sha256);
      return { sha256, st };
    } finally {
      await handle.close();
    }
  }

  private async inside(p: string): Promise<boolean> {
    const root = await this.spoolRoot();
    try {
      const real = await realpath(p);
      return real === root || real.startsWith(`${root}${path.sep}`);
    } catch {
      return false;
    }
  }

  private async isDirInside(p: string, e: Dirent): Promise<boolean> {
    if (e.isDirectory()) return true;
    if (!e.isSymbolicLink()) return false;
    try {
      return (await lstat(await realpath(p))).isDirectory() && (await this.inside(p));
    } catch {
      return false;
    }
  }
}

/** Looks a msg_id up in a scan; `purged` only when the scan was complete. */
export function findInScan(
  scan: MailboxScan,
  msgId: string,
): SpoolMessage | UnknownMessage | PurgedMessage {
  const known = scan.messages.find((m) => m.msgId === msgId);
  if (known) return known;
  const unknown = scan.unknown.find((u) => u.msgId === msgId);
  if (unknown) return unknown;
  if (scan.complete) {
    return {
      status: 'purged',
      mailbox: scan.mailbox,
      msgId,
      state: { folder: 'purged', heard: true },
    };
  }
  const why = scan.unknown.find((u) => u.msgId === null && !HARMLESS_ANONYMOUS.has(u.reason));
  return {
    status: 'unknown',
    mailbox: scan.mailbox,
    msgId,
    folder: why?.folder ?? null,
    msgnum: why?.msgnum ?? null,
    reason: why?.reason ?? 'unstable',
    detail: `not found, but the mailbox could not be read whole (${why?.detail ?? 'unstable'})`,
  };
}

/** Reads a metadata file without following a symlink; an oversized one is cut to one byte more than allowed. */
async function readText(file: string): Promise<{ text: string; st: Stats }> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = await handle.stat();
    const buffer = Buffer.alloc(Math.min(st.size, MAX_METADATA_BYTES + 1));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), st };
  } finally {
    await handle.close();
  }
}

/**
 * What tells an audio file's contents apart without reading them: its inode, size and
 * modification time. Not its change time: every move between folders (a listen, a
 * delete: a link or rename, the inode kept) sets that, and would make each one hash the
 * audio again. Writing the file sets its modification time; only a deliberate reset of
 * it to the same microsecond, at the same size, could hide new contents.
 */
function identity(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

async function sameFile(file: string, before: Stats): Promise<boolean> {
  try {
    const now = await lstat(file);
    return now.ino === before.ino && now.size === before.size && now.mtimeMs === before.mtimeMs;
  } catch {
    return false;
  }
}

function errnoReason(error: unknown): UnknownReason {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'symlink';
  return 'unreadable';
}

/** One string for a listing taken with its folders' times. */
function versionOf(listing: { names: string; times: string }): string {
  return `${listing.times}#${listing.names}`;
}
