import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FOLDERS, MESSAGE_SLOT_FILE, SpoolReader, SpoolWriter } from '@vmsync/asterisk-spool';
import type { VoicemailAction } from '@vmsync/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deposit } from './deposit.js';
import {
  deleteMessage,
  listen,
  type MailboxTarget,
  markUnheard,
  purge,
  saveToFolder,
  undelete,
} from './user-actions.js';

/**
 * The PBX's user (VoicemailMain, AMI) and vmsync's writer act on the same mailbox at the
 * same time, each with only the folder locks between them, as two processes would.
 */
let root: string;
let spoolDir: string;
const dir = (folder: string) => path.join(spoolDir, 'default', '1001', folder);

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pbx-sim-race-'));
  spoolDir = path.join(root, 'spool');
});
afterEach(() => rm(root, { recursive: true, force: true }));

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What an actuator does with a retriable failure (the spool was mid-change): try again. */
async function applyWithRetry(
  writer: SpoolWriter,
  msgId: string,
  action: VoicemailAction,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await writer.apply('default', '1001', msgId, action);
      return;
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || attempt > 20) throw error;
      await new Promise((r) => setTimeout(r, 1 + Math.random() * 5));
    }
  }
}

async function folderContents(
  folder: string,
): Promise<{ numbers: number[]; ids: string[]; whole: boolean }> {
  const names = await readdir(dir(folder)).catch(() => [] as string[]);
  expect(
    names.filter((n) => n.startsWith('.')),
    `${folder} leftovers`,
  ).toEqual([]);
  const slots = new Map<number, string[]>();
  for (const n of names) {
    const m = MESSAGE_SLOT_FILE.exec(n);
    if (m) slots.set(Number(m[1]), [...(slots.get(Number(m[1])) ?? []), m[2] ?? '']);
  }
  const numbers = [...slots.keys()].sort((a, b) => a - b);
  const ids: string[] = [];
  for (const n of numbers) {
    const txt = await readFile(
      path.join(dir(folder), `msg${String(n).padStart(4, '0')}.txt`),
      'utf8',
    );
    ids.push(/^msg_id=(.*)$/m.exec(txt)?.[1] ?? '?');
  }
  return {
    numbers,
    ids,
    whole: [...slots.values()].every((e) => e.includes('txt') && e.includes('wav')),
  };
}

describe.each([
  ['backupdeleted off', 0],
  ['backupdeleted on (Asterisk leaves copies in Deleted)', 100],
])('user actions and vmsync commands interleaved on one mailbox, %s', (_name, maxDeleted) => {
  // 120 operations of two processes on one mailbox: seconds on a busy machine.
  it.each([1, 2, 3])('leaves a consistent spool (seed %i)', { timeout: 60_000 }, async (seed) => {
    const random = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const user: MailboxTarget = { spoolDir, mailbox: '1001', maxDeleted };
    const writer = new SpoolWriter(spoolDir);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push((await deposit({ spoolDir, mailbox: '1001', durationSec: 1 })).msgId);

    const gone = new Set<string>(); // removed for good by the user: allowed to be missing
    const ops: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < 120; i++) {
      const id = pick(ids);
      const r = random();
      if (r < 0.5) {
        const action = pick([
          'ensure-heard',
          'ensure-unheard',
          'ensure-deleted',
          'ensure-saved',
        ] as const);
        ops.push(() => applyWithRetry(writer, id, action));
      } else if (r < 0.95) {
        const [name, act] = pick([
          ['listen', () => listen(user, id)],
          ['mark-unheard', () => markUnheard(user, id)],
          ['delete', () => deleteMessage(user, id)],
          // Restoring a backup copy of a message still in another folder would make it twice
          // in the mailbox by the user's own doing; this user restores only what is deleted.
          ['undelete', () => undelete(user, id, { onlyIfDeleted: true })],
          ['save', () => saveToFolder(user, id, 'Work')],
          ['purge', () => purge(user, id)],
        ] as const);
        const removes = name === 'purge' || (name === 'delete' && maxDeleted === 0);
        ops.push(async () => {
          if ((await act()).done && removes) gone.add(id);
        });
      } else {
        ops.push(async () => {
          ids.push((await deposit({ spoolDir, mailbox: '1001', durationSec: 1 })).msgId);
        });
      }
    }
    await Promise.all(ops.map((op) => op()));

    const where = new Map<string, string[]>();
    for (const folder of FOLDERS) {
      const c = await folderContents(folder);
      expect(c.numbers, `${folder} is not numbered 0..n-1`).toEqual(c.numbers.map((_, i) => i));
      expect(c.whole, `${folder} holds half a message`).toBe(true);
      if (folder !== 'Deleted' || maxDeleted === 0) {
        expect(new Set(c.ids).size, `a msg_id twice in ${folder}`).toBe(c.ids.length);
      }
      for (const id of c.ids) where.set(id, [...(where.get(id) ?? []), folder]);
    }
    for (const [id, folders] of where) {
      const live = folders.filter((f) => f !== 'Deleted');
      expect(live.length, `${id} is live in ${live}`).toBeLessThanOrEqual(1);
    }
    // No message lost: every one is somewhere, unless the user removed it for good.
    for (const id of ids) if (!gone.has(id)) expect(where.has(id), `${id} was lost`).toBe(true);

    const scan = await new SpoolReader(spoolDir).scanMailbox('default', '1001');
    expect(scan.complete).toBe(true);
    expect(scan.unknown).toEqual([]);
    expect(scan.messages.length).toBe(where.size);
  });
});
