import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SpoolReader } from '@vmsync/asterisk-spool';
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

let root: string;
let spoolDir: string;
let reader: SpoolReader;
const dir = (folder: string) => path.join(spoolDir, 'default', '1001', folder);
const names = (folder: string) =>
  readdir(dir(folder)).then(
    (n) => n.sort(),
    () => [] as string[],
  );
const state = async (id: string) => {
  const r = await reader.readMessage('default', '1001', id);
  return r.status === 'known'
    ? `${r.state.folder}@${r.location.folder}/${r.location.msgnum}`
    : r.status;
};

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pbx-sim-'));
  spoolDir = path.join(root, 'spool');
  reader = new SpoolReader(spoolDir);
});
afterEach(() => rm(root, { recursive: true, force: true }));

const plain = (): MailboxTarget => ({ spoolDir, mailbox: '1001' });
const backup = (): MailboxTarget => ({ spoolDir, mailbox: '1001', maxDeleted: 3 });

describe('VoicemailMain / AMI actions on the files', () => {
  it('listen moves INBOX -> end of Old and closes the gap, without a Deleted copy', async () => {
    const [a, b, c] = [
      await deposit({ spoolDir, mailbox: '1001' }),
      await deposit({ spoolDir, mailbox: '1001' }),
      await deposit({ spoolDir, mailbox: '1001' }),
    ];
    expect(await listen(backup(), b.msgId)).toEqual({ done: true, from: 'INBOX', to: 'Old' });
    expect(await state(a.msgId)).toBe('new@INBOX/0');
    expect(await state(b.msgId)).toBe('saved@Old/0');
    expect(await state(c.msgId)).toBe('new@INBOX/1');
    expect(await names('Deleted')).toEqual([]);
  });

  it('listen takes urgent messages from Urgent', async () => {
    const u = await deposit({ spoolDir, mailbox: '1001', urgent: true });
    await listen(plain(), u.msgId);
    expect(await state(u.msgId)).toBe('saved@Old/0');
  });

  it('mark-unheard (VoicemailMove Old -> INBOX) leaves a copy in Deleted when backupdeleted is on', async () => {
    const m = await deposit({ spoolDir, mailbox: '1001' });
    await listen(backup(), m.msgId);
    await markUnheard(backup(), m.msgId);
    expect(await names('Deleted')).toEqual(['msg0000.txt', 'msg0000.wav']);
    // ...which is why Deleted alone decides nothing: the message is new.
    expect(await state(m.msgId)).toBe('new@INBOX/0');
  });

  it('save to folder leaves a Deleted copy too; the message is saved', async () => {
    const m = await deposit({ spoolDir, mailbox: '1001' });
    await saveToFolder(backup(), m.msgId, 'Work');
    expect(await state(m.msgId)).toBe('saved@Work/0');
    expect(await names('Deleted')).toHaveLength(2);
  });

  it('undelete of a backup copy of a message still live duplicates it, as Asterisk does, unless onlyIfDeleted', async () => {
    const m = await deposit({ spoolDir, mailbox: '1001' });
    await saveToFolder(backup(), m.msgId, 'Work');
    expect(await undelete(backup(), m.msgId, { onlyIfDeleted: true })).toEqual({
      done: false,
      why: `${m.msgId} is not deleted: in Work`,
    });
    expect(await names('Old')).toEqual([]);
    expect(await undelete(backup(), m.msgId)).toMatchObject({ done: true, to: 'Old' });
    expect(await names('Old')).toEqual(['msg0000.txt', 'msg0000.wav']);
    expect(await names('Work')).toEqual(['msg0000.txt', 'msg0000.wav']);
  });

  it('delete without backupdeleted removes the files: purged', async () => {
    const m = await deposit({ spoolDir, mailbox: '1001' });
    await deleteMessage(plain(), m.msgId);
    expect(await names('INBOX')).toEqual([]);
    expect(await state(m.msgId)).toBe('purged');
  });

  it('delete with backupdeleted moves to Deleted; undelete to Old; purge for good', async () => {
    const m = await deposit({ spoolDir, mailbox: '1001' });
    await deleteMessage(backup(), m.msgId);
    expect(await state(m.msgId)).toBe('deleted@Deleted/0');
    await undelete(backup(), m.msgId);
    expect(await state(m.msgId)).toBe('saved@Old/0');
    await deleteMessage(backup(), m.msgId);
    await purge(backup(), m.msgId);
    expect(await state(m.msgId)).toBe('purged');
  });

  it('a full Deleted (backupdeleted=3) drops its oldest', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await deposit({ spoolDir, mailbox: '1001' })).msgId);
    for (const id of ids) await deleteMessage(backup(), id);
    expect(await state(ids[0] as string)).toBe('purged');
    expect(await Promise.all(ids.slice(1).map(state))).toEqual([
      'deleted@Deleted/0',
      'deleted@Deleted/1',
      'deleted@Deleted/2',
    ]);
  });

  it('reports a message that is not where the action looks', async () => {
    const m = await deposit({ spoolDir, mailbox: '1001' });
    expect(await undelete(plain(), m.msgId)).toMatchObject({ done: false });
    expect(await listen(plain(), 'nope')).toMatchObject({ done: false });
  });
});
