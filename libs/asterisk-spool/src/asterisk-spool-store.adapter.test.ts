import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsteriskSpoolStore } from './asterisk-spool-store.adapter.js';
import { audioFor, putMessage, sha256, tempSpool } from './test-fixtures.js';
import type { MailboxHint, VoicemailStore } from './voicemail-store.port.js';

let spool: Awaited<ReturnType<typeof tempSpool>>;
let store: VoicemailStore;
let confPath: string;

beforeEach(async () => {
  spool = await tempSpool();
  confPath = path.join(spool.root, 'voicemail.conf');
  await writeFile(
    confPath,
    '[general]\nattach=yes\nbackupdeleted=2\n[default]\n1001 => 1,Alice,alice@example.com\n1002 => 2,Bob,bob@example.com,,attach=no\n1003 => 3,Carol\n',
  );
  store = new AsteriskSpoolStore(storeOptions());
});
const storeOptions = () => ({
  spoolDir: spool.spoolDir,
  confPath,
  watcher: { rescanIntervalMs: 0 },
});
afterEach(() => spool.cleanup());

describe('AsteriskSpoolStore (VoicemailStore port)', () => {
  it('lists mailboxes from voicemail.conf, with who is notified and how', async () => {
    expect(await store.listMailboxes()).toEqual([
      {
        id: '1001@default',
        context: 'default',
        mailbox: '1001',
        fullname: 'Alice',
        notify: { email: 'alice@example.com', kind: 'wav' },
      },
      {
        id: '1002@default',
        context: 'default',
        mailbox: '1002',
        fullname: 'Bob',
        notify: { email: 'bob@example.com', kind: 'text' },
      },
      { id: '1003@default', context: 'default', mailbox: '1003', fullname: 'Carol', notify: null },
    ]);
  });

  it('re-reads voicemail.conf when it changes', async () => {
    await store.listMailboxes();
    await writeFile(confPath, '[default]\n1009 => 9,Zed,zed@example.com\n');
    const later = new Date(Date.now() + 5000);
    await utimes(confPath, later, later);
    expect((await store.listMailboxes()).map((m) => m.id)).toEqual(['1009@default']);
  });

  it('lists and reads messages, with the fields a voicemail-changed event carries', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await putMessage(spool.spoolDir, 'INBOX', 1, 'm-2', { txt: '' });
    const listing = await store.listMessages('1001@default');
    expect(listing.complete).toBe(false);
    expect(listing.messages).toEqual([
      {
        status: 'known',
        mailbox: '1001@default',
        msgId: 'm-1',
        state: { folder: 'new', heard: false },
        audio: { size: audioFor('m-1').length, sha256: sha256(audioFor('m-1')), format: 'wav' },
        audioFile: expect.stringMatching(/^\d+:\d+:\d+:/),
        meta: { callerId: '"Alice" <100>', origTime: 1701172680, duration: 3 },
        location: 'INBOX/0',
      },
    ]);
    expect(listing.unknown).toMatchObject([{ reason: 'partial-metadata' }]);
    expect(await store.readMessage('1001@default', 'm-9')).toMatchObject({ status: 'unknown' });
  });

  it('takes audio digests back by file (a restarted watcher does not hash again)', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    const [first] = (await store.listMessages('1001@default')).messages;
    const restarted = new AsteriskSpoolStore(storeOptions());
    const known = [{ file: first?.audioFile ?? '', sha256: 'e'.repeat(64) }];
    const [again] = (await restarted.listMessages('1001@default', known)).messages;
    expect(again?.audio.sha256).toBe('e'.repeat(64));
  });

  it("applies actions with the mailbox's limits", async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    expect(await store.apply('1001@default', 'm-1', 'ensure-deleted')).toEqual({
      outcome: 'applied',
      before: { folder: 'new', heard: false },
      after: { folder: 'deleted', heard: true },
    });
    expect(await store.apply('1001@default', 'm-1', 'ensure-deleted')).toMatchObject({
      outcome: 'already',
    });
    expect(await store.apply('1001@default', 'm-gone', 'ensure-heard')).toMatchObject({
      outcome: 'not-found',
    });
    await expect(store.apply('not-a-mailbox', 'm-1', 'ensure-heard')).rejects.toMatchObject({
      code: 'SPOOL_BAD_MAILBOX',
    });
  });

  it('streams change hints until aborted', async () => {
    const controller = new AbortController();
    const got: MailboxHint[] = [];
    const done = (async () => {
      for await (const hint of store.watch(controller.signal)) {
        got.push(hint);
        controller.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 30));
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await done;
    expect(got[0]).toMatchObject({ mailbox: '1001@default' });
  });
});
