import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type MessageMetadata, serializeMessageMetadata } from './message-metadata.js';
import { MESSAGE_SLOT_FILE, type SpoolFolder, slotName } from './spool-layout.js';

/** Test helpers: a throwaway spool, and messages written straight into it. */

export async function tempSpool(
  prefix = 'vmsync-spool-',
): Promise<{ root: string; spoolDir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  const spoolDir = path.join(root, 'voicemail');
  await mkdir(spoolDir, { recursive: true });
  return { root, spoolDir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export function metadataFor(
  msgId: string | null,
  overrides: Partial<MessageMetadata> = {},
): MessageMetadata {
  return {
    origmailbox: '1001',
    context: 'from-internal',
    macrocontext: null,
    exten: '1001',
    rdnis: 'unknown',
    priority: '2',
    callerchan: 'PJSIP/100-00000001',
    callerid: '"Alice" <100>',
    origdate: 'Tue Nov 28 11:58:00 AM UTC 2023',
    origtime: 1701172680,
    category: '',
    msgId,
    flag: '',
    duration: 3,
    extra: [],
    ...overrides,
  };
}

export function audioFor(msgId: string): Buffer {
  return Buffer.from(`RIFF-fake-audio-of-${msgId}`);
}

export interface PutOptions {
  context?: string;
  mailbox?: string;
  audioExt?: string | null;
  txt?: string | null;
  metadata?: Partial<MessageMetadata>;
}

/** Writes msgNNNN.{wav,txt} into a folder (any name, known to Asterisk or not). */
export async function putMessage(
  spoolDir: string,
  folder: SpoolFolder | string,
  msgnum: number,
  msgId: string | null,
  options: PutOptions = {},
): Promise<{ dir: string; txt: string; audio: Buffer }> {
  const dir = path.join(spoolDir, options.context ?? 'default', options.mailbox ?? '1001', folder);
  await mkdir(dir, { recursive: true });
  const audio = audioFor(msgId ?? `anon-${msgnum}`);
  const ext = options.audioExt === undefined ? 'wav' : options.audioExt;
  if (ext !== null) await writeFile(path.join(dir, slotName(msgnum, ext)), audio);
  const txt =
    options.txt === undefined
      ? serializeMessageMetadata(metadataFor(msgId, options.metadata))
      : options.txt;
  if (txt !== null) await writeFile(path.join(dir, slotName(msgnum, 'txt')), txt);
  return { dir, txt: txt ?? '', audio };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Slot numbers of a folder that have a .txt, and whether they run 0..n-1 with every slot whole. */
export async function folderNumbers(
  dir: string,
): Promise<{ numbers: number[]; contiguous: boolean; whole: boolean }> {
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return { numbers: [], contiguous: true, whole: true };
  }
  const byNum = new Map<number, string[]>();
  for (const n of names) {
    const m = MESSAGE_SLOT_FILE.exec(n);
    if (!m) continue;
    const k = Number(m[1]);
    byNum.set(k, [...(byNum.get(k) ?? []), m[2] ?? '']);
  }
  const numbers = [...byNum.keys()].sort((a, b) => a - b);
  return {
    numbers,
    contiguous: numbers.every((n, i) => n === i),
    whole: [...byNum.values()].every((exts) => exts.includes('txt') && exts.length >= 2),
  };
}
