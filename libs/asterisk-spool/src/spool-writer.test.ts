import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VoicemailAction, VoicemailFolder } from '@vmsync/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolLockTimeoutError } from './folder-lock.js';
import { FOLDERS, type SpoolFolder } from './spool-layout.js';
import { SpoolReader } from './spool-reader.js';
import { SpoolWriter } from './spool-writer.js';
import { audioFor, folderNumbers, putMessage, sha256, tempSpool } from './test-fixtures.js';

let spool: Awaited<ReturnType<typeof tempSpool>>;
let writer: SpoolWriter;
let reader: SpoolReader;
const box = (folder: string) => path.join(spool.spoolDir, 'default', '1001', folder);
const ID = 'subject-00000001';

beforeEach(async () => {
  spool = await tempSpool();
  reader = new SpoolReader(spool.spoolDir);
  writer = new SpoolWriter(spool.spoolDir);
});
afterEach(() => spool.cleanup());

type Start =
  | 'new'
  | 'urgent'
  | 'saved'
  | 'work'
  | 'deleted'
  | 'new+backup'
  | 'saved+backup'
  | 'purged';

/** Neighbours in every folder the message may pass through, so numbers must shift. */
async function arrange(start: Start): Promise<Map<string, string>> {
  const txts = new Map<string, string>();
  for (const folder of ['INBOX', 'Old', 'Deleted', 'Urgent', 'Work'] as const) {
    for (const n of [0, 1]) {
      const id = `${folder}-${n}`;
      txts.set(id, (await putMessage(spool.spoolDir, folder, n, id)).txt);
    }
  }
  const put = async (folder: SpoolFolder, flag = '') => {
    const n = (await folderNumbers(box(folder))).numbers.length;
    txts.set(ID, (await putMessage(spool.spoolDir, folder, n, ID, { metadata: { flag } })).txt);
  };
  switch (start) {
    case 'new':
      await put('INBOX');
      break;
    case 'urgent':
      await put('Urgent', 'Urgent');
      break;
    case 'saved':
      await put('Old');
      break;
    case 'work':
      await put('Work');
      break;
    case 'deleted':
      await put('Deleted');
      break;
    case 'new+backup':
      await put('INBOX');
      await put('Deleted');
      break;
    case 'saved+backup':
      await put('Old');
      await put('Deleted');
      break;
    case 'purged':
      break;
  }
  return txts;
}

/** Every folder numbered 0..n-1, every slot whole, no msg_id twice in a folder, nothing lost. */
async function expectConsistent(txts: Map<string, string>) {
  const seen = new Map<string, number>();
  for (const folder of FOLDERS) {
    const f = await folderNumbers(box(folder));
    expect(f.contiguous, `${folder} numbers ${f.numbers}`).toBe(true);
    expect(f.whole, `${folder} has a half message`).toBe(true);
    const names = await readdir(box(folder)).catch(() => [] as string[]);
    expect(
      names.filter((n) => n.startsWith('.')),
      `${folder} leftovers`,
    ).toEqual([]);
    const ids = new Set<string>();
    for (const n of f.numbers) {
      const txt = await readFile(
        path.join(box(folder), `msg${String(n).padStart(4, '0')}.txt`),
        'utf8',
      );
      const id = /^msg_id=(.*)$/m.exec(txt)?.[1] ?? '';
      expect(ids.has(id), `${id} twice in ${folder}`).toBe(false);
      ids.add(id);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      // Metadata copied byte for byte, audio beside it.
      expect(txt).toBe(txts.get(id));
      const audio = await readFile(path.join(box(folder), `msg${String(n).padStart(4, '0')}.wav`));
      expect(sha256(audio)).toBe(sha256(audioFor(id)));
    }
  }
  for (const id of txts.keys()) if (id !== ID) expect(seen.get(id), `${id} lost`).toBe(1);
}

async function snapshot(): Promise<string> {
  const parts: string[] = [];
  for (const folder of FOLDERS)
    parts.push(`${folder}:${(await readdir(box(folder)).catch(() => [])).sort().join(',')}`);
  return parts.join('|');
}

const STATE: Record<Start, VoicemailFolder> = {
  new: 'new',
  urgent: 'new',
  saved: 'saved',
  work: 'saved',
  deleted: 'deleted',
  'new+backup': 'new',
  'saved+backup': 'saved',
  purged: 'purged',
};

// [start, action, outcome, resulting folder, where the message should be read from]
const CASES: Array<
  [Start, VoicemailAction, 'applied' | 'already' | 'not-found', VoicemailFolder, SpoolFolder | null]
> = [
  ['new', 'ensure-heard', 'applied', 'saved', 'Old'],
  ['urgent', 'ensure-heard', 'applied', 'saved', 'Old'],
  ['saved', 'ensure-heard', 'already', 'saved', 'Old'],
  ['work', 'ensure-heard', 'already', 'saved', 'Work'],
  ['deleted', 'ensure-heard', 'already', 'deleted', 'Deleted'],
  ['new+backup', 'ensure-heard', 'applied', 'saved', 'Old'],
  ['saved+backup', 'ensure-heard', 'already', 'saved', 'Old'],
  ['purged', 'ensure-heard', 'not-found', 'purged', null],

  ['new', 'ensure-unheard', 'already', 'new', 'INBOX'],
  ['urgent', 'ensure-unheard', 'already', 'new', 'Urgent'],
  ['saved', 'ensure-unheard', 'applied', 'new', 'INBOX'],
  ['work', 'ensure-unheard', 'applied', 'new', 'INBOX'],
  ['deleted', 'ensure-unheard', 'already', 'deleted', 'Deleted'],
  ['new+backup', 'ensure-unheard', 'already', 'new', 'INBOX'],
  ['saved+backup', 'ensure-unheard', 'applied', 'new', 'INBOX'],
  ['purged', 'ensure-unheard', 'not-found', 'purged', null],

  ['new', 'ensure-deleted', 'applied', 'deleted', 'Deleted'],
  ['urgent', 'ensure-deleted', 'applied', 'deleted', 'Deleted'],
  ['saved', 'ensure-deleted', 'applied', 'deleted', 'Deleted'],
  ['work', 'ensure-deleted', 'applied', 'deleted', 'Deleted'],
  ['deleted', 'ensure-deleted', 'already', 'deleted', 'Deleted'],
  ['new+backup', 'ensure-deleted', 'applied', 'deleted', 'Deleted'],
  ['saved+backup', 'ensure-deleted', 'applied', 'deleted', 'Deleted'],
  ['purged', 'ensure-deleted', 'not-found', 'purged', null],

  ['new', 'ensure-saved', 'already', 'new', 'INBOX'],
  ['urgent', 'ensure-saved', 'already', 'new', 'Urgent'],
  ['saved', 'ensure-saved', 'already', 'saved', 'Old'],
  ['work', 'ensure-saved', 'already', 'saved', 'Work'],
  ['deleted', 'ensure-saved', 'applied', 'saved', 'Old'],
  ['new+backup', 'ensure-saved', 'already', 'new', 'INBOX'],
  ['saved+backup', 'ensure-saved', 'already', 'saved', 'Old'],
  ['purged', 'ensure-saved', 'not-found', 'purged', null],
];

describe('SpoolWriter.apply from every state', () => {
  it.each(CASES)('%s + %s -> %s, %s', async (start, action, outcome, after, where) => {
    const txts = await arrange(start);
    const result = await writer.apply('default', '1001', ID, action);
    expect(result.outcome).toBe(outcome);
    expect(result.before.folder).toBe(STATE[start]);
    expect(result.after.folder).toBe(after);

    const now = await reader.readMessage('default', '1001', ID);
    if (where === null) {
      expect(now.status).toBe('purged');
    } else {
      expect(now).toMatchObject({
        status: 'known',
        state: { folder: after },
        location: { folder: where },
      });
      if (now.status === 'known') expect(now.audio.sha256).toBe(sha256(audioFor(ID)));
    }
    await expectConsistent(txts);
    // Nobody else changed state.
    const scan = await reader.scanMailbox('default', '1001');
    for (const id of txts.keys()) {
      if (id !== ID) expect(scan.messages.some((m) => m.msgId === id)).toBe(true);
    }

    // Idempotent: again is `already` (or still not-found), and changes nothing.
    const before = await snapshot();
    const again = await writer.apply('default', '1001', ID, action);
    expect(again.outcome).toBe(outcome === 'not-found' ? 'not-found' : 'already');
    expect(again.after.folder).toBe(after);
    expect(await snapshot()).toBe(before);
  });

  it('an unheard message flagged Urgent goes back to Urgent', async () => {
    await putMessage(spool.spoolDir, 'Old', 0, ID, { metadata: { flag: 'Urgent' } });
    await writer.apply('default', '1001', ID, 'ensure-unheard');
    expect(await reader.readMessage('default', '1001', ID)).toMatchObject({
      location: { folder: 'Urgent', msgnum: 0 },
    });
  });

  it('moves to the highest number + 1 of the target, without filling gaps', async () => {
    await putMessage(spool.spoolDir, 'Old', 0, 'o-0');
    await putMessage(spool.spoolDir, 'Old', 5, 'o-5');
    await putMessage(spool.spoolDir, 'INBOX', 0, ID);
    await writer.apply('default', '1001', ID, 'ensure-heard');
    expect((await folderNumbers(box('Old'))).numbers).toEqual([0, 5, 6]);
  });
});

describe('limits and failures', () => {
  it('a full Deleted drops its oldest message, as backupdeleted does', async () => {
    for (const n of [0, 1, 2]) await putMessage(spool.spoolDir, 'Deleted', n, `d-${n}`);
    await putMessage(spool.spoolDir, 'INBOX', 0, ID);
    await writer.apply('default', '1001', ID, 'ensure-deleted', { maxMsg: 100, maxDeleted: 3 });
    const scan = await reader.scanMailbox('default', '1001');
    expect(
      scan.messages.map((m) => `${m.msgId}@${m.location.folder}/${m.location.msgnum}`).sort(),
    ).toEqual(['d-1@Deleted/0', 'd-2@Deleted/1', `${ID}@Deleted/2`].sort());
  });

  it('a full target folder refuses, and nothing changes', async () => {
    await putMessage(spool.spoolDir, 'Old', 0, 'o-0');
    await putMessage(spool.spoolDir, 'Old', 1, 'o-1');
    await putMessage(spool.spoolDir, 'INBOX', 0, ID);
    const before = await snapshot();
    await expect(
      writer.apply('default', '1001', ID, 'ensure-heard', { maxMsg: 2, maxDeleted: 0 }),
    ).rejects.toMatchObject({
      code: 'SPOOL_FOLDER_FULL',
    });
    expect(await snapshot()).toBe(before);
  });

  it('never acts on a message it cannot read', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, ID, { txt: `[message]\nmsg_id=${ID}\n` });
    const before = await snapshot();
    await expect(writer.apply('default', '1001', ID, 'ensure-deleted')).rejects.toMatchObject({
      code: 'SPOOL_MESSAGE_UNKNOWN',
      retriable: true,
    });
    expect(await snapshot()).toBe(before);
  });

  it("waits for Asterisk's lock and gives up with a retriable error", async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, ID);
    await writeFile(path.join(box('INBOX'), '.lock'), '');
    const w = new SpoolWriter(spool.spoolDir, { lockTimeoutMs: 50 });
    const error = await w.apply('default', '1001', ID, 'ensure-heard').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpoolLockTimeoutError);
    expect((await reader.readMessage('default', '1001', ID)).status).toBe('known');
  });

  it('cleans up temporary files a dead writer left behind', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, ID);
    await mkdir(box('Old'));
    await writeFile(path.join(box('Old'), '.vmsync-deadbeef'), 'half');
    await writer.apply('default', '1001', ID, 'ensure-heard');
    expect(await readdir(box('Old'))).toEqual(['msg0000.txt', 'msg0000.wav']);
  });

  it('never writes through a folder that links out of the spool', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, ID);
    const outside = path.join(spool.root, 'outside');
    await mkdir(outside);
    await symlink(outside, box('Old'));
    await expect(writer.apply('default', '1001', ID, 'ensure-heard')).rejects.toMatchObject({
      code: 'SPOOL_UNSAFE_FILE',
    });
    expect(await readdir(outside)).toEqual([]);
  });

  it('moves every format of the message, not only the ones it reads', async () => {
    const { dir } = await putMessage(spool.spoolDir, 'INBOX', 0, ID);
    await writeFile(path.join(dir, 'msg0000.gsm'), 'gsm');
    await writeFile(path.join(dir, 'msg0000.ulaw'), 'ulaw');
    await writer.apply('default', '1001', ID, 'ensure-heard');
    expect((await readdir(box('Old'))).sort()).toEqual([
      'msg0000.gsm',
      'msg0000.txt',
      'msg0000.ulaw',
      'msg0000.wav',
    ]);
    expect(await readdir(box('INBOX'))).toEqual([]);
  });

  it('applies many commands on one mailbox at once and stays consistent', async () => {
    const txts = new Map<string, string>();
    for (let n = 0; n < 12; n++)
      txts.set(`m-${n}`, (await putMessage(spool.spoolDir, 'INBOX', n, `m-${n}`)).txt);
    const actions: VoicemailAction[] = [
      'ensure-heard',
      'ensure-deleted',
      'ensure-unheard',
      'ensure-saved',
    ];
    await Promise.all(
      Array.from({ length: 48 }, (_, i) =>
        writer.apply('default', '1001', `m-${i % 12}`, actions[(i * 7) % 4] as VoicemailAction),
      ),
    );
    const seen = new Map<string, number>();
    for (const folder of FOLDERS) {
      const f = await folderNumbers(box(folder));
      expect(f.contiguous && f.whole).toBe(true);
    }
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan.complete).toBe(true);
    for (const m of scan.messages) seen.set(m.msgId, m.copies.length);
    expect([...seen.keys()].sort()).toEqual([...txts.keys()].sort());
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
  });
});
