import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseMessageMetadata, SpoolReader } from '@vmsync/asterisk-spool';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asteriskDate, deposit, mergeCallerId, splitCallerId } from './deposit.js';

let root: string;
let spoolDir: string;
const inbox = () => path.join(spoolDir, 'default', '1001', 'INBOX');

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pbx-sim-'));
  spoolDir = path.join(root, 'spool');
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('deposit', () => {
  it('leaves msg0000.wav and msg0000.txt in INBOX, as leave_voicemail does', async () => {
    const now = new Date('2023-11-28T11:58:00Z');
    const m = await deposit({
      spoolDir,
      mailbox: '1001',
      caller: { number: '100', name: 'Alice' },
      durationSec: 2,
      now,
    });
    expect(m).toMatchObject({ folder: 'INBOX', msgnum: 0, mailboxId: '1001@default' });
    expect(m.msgId).toMatch(/^1701172680-[0-9a-f]{8}$/);
    expect((await readdir(inbox())).sort()).toEqual(['msg0000.txt', 'msg0000.wav']);
    expect(await readdir(path.join(spoolDir, 'default', '1001', 'tmp'))).toEqual([]);
    const meta = parseMessageMetadata(await readFile(m.txtPath, 'utf8'));
    expect(meta).toMatchObject({
      origmailbox: '1001',
      callerid: '"Alice" <100>',
      origdate: 'Tue Nov 28 11:58:00 AM UTC 2023',
      origtime: 1701172680,
      msgId: m.msgId,
      flag: '',
      duration: 2,
    });
    const read = await new SpoolReader(spoolDir).readMessage('default', '1001', m.msgId);
    expect(read).toMatchObject({
      status: 'known',
      state: { folder: 'new', heard: false },
      audio: m.audio,
    });
  });

  it('puts the audio in place before the .txt', async () => {
    await mkdir(inbox(), { recursive: true });
    const events: string[] = [];
    const w = watch(inbox(), (_e, name) => events.push(String(name)));
    await deposit({ spoolDir, mailbox: '1001' });
    await new Promise((r) => setTimeout(r, 20));
    w.close();
    const seen = events.filter((e) => e.startsWith('msg'));
    expect(seen.indexOf('msg0000.wav')).toBeLessThan(seen.indexOf('msg0000.txt'));
    expect(seen.indexOf('msg0000.wav')).toBeGreaterThanOrEqual(0);
  });

  it('numbers highest + 1 and does not fill gaps', async () => {
    await mkdir(inbox(), { recursive: true });
    for (const n of ['0000', '0003']) {
      await writeFile(path.join(inbox(), `msg${n}.txt`), '[message]\norigtime=1\nduration=1\n');
      await writeFile(path.join(inbox(), `msg${n}.wav`), 'x');
    }
    expect((await deposit({ spoolDir, mailbox: '1001' })).msgnum).toBe(4);
  });

  it('files urgent messages in Urgent with flag=Urgent', async () => {
    const m = await deposit({ spoolDir, mailbox: '1001', urgent: true });
    expect(m.folder).toBe('Urgent');
    expect(m.metadata.flag).toBe('Urgent');
  });

  it('many callers at once get contiguous numbers and distinct msg_ids', async () => {
    const all = await Promise.all(
      Array.from({ length: 25 }, () => deposit({ spoolDir, mailbox: '1001', durationSec: 1 })),
    );
    expect(all.map((m) => m.msgnum).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i),
    );
    expect(new Set(all.map((m) => m.msgId)).size).toBe(25);
    expect(new Set(all.map((m) => m.audio.sha256)).size).toBe(25);
    expect((await readdir(inbox())).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuses a message when the folder is full', async () => {
    await deposit({ spoolDir, mailbox: '1001', maxMsg: 1 });
    await expect(deposit({ spoolDir, mailbox: '1001', maxMsg: 1 })).rejects.toThrow(/full/);
    expect((await readdir(inbox())).sort()).toEqual(['msg0000.txt', 'msg0000.wav']);
  });
});

describe('caller id and dates as Asterisk writes them', () => {
  it.each([
    [{ name: 'Alice', number: '100' }, '"Alice" <100>'],
    [{ number: '100' }, '100'],
    [{ name: 'Alice' }, 'Alice'],
    [{}, 'Unknown'],
    [{ name: 'A "B"', number: '1' }, '"A \\"B\\"" <1>'],
  ])('%j -> %s and back', (caller, text) => {
    expect(mergeCallerId(caller)).toBe(text);
    expect(splitCallerId(text)).toEqual(caller);
  });

  it('formats origdate like get_date', () => {
    expect(asteriskDate(new Date('2024-03-05T21:04:09Z'))).toBe('Tue Mar  5 09:04:09 PM UTC 2024');
  });
});
