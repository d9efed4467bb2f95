import { spawnSync } from 'node:child_process';
import { chmod, link, mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serializeMessageMetadata } from './message-metadata.js';
import { SpoolReader } from './spool-reader.js';
import { audioFor, metadataFor, putMessage, sha256, tempSpool } from './test-fixtures.js';

let spool: Awaited<ReturnType<typeof tempSpool>>;
let reader: SpoolReader;
const box = (folder: string) => path.join(spool.spoolDir, 'default', '1001', folder);

beforeEach(async () => {
  spool = await tempSpool();
  reader = new SpoolReader(spool.spoolDir);
});
afterEach(() => spool.cleanup());

const read = (msgId: string) => reader.readMessage('default', '1001', msgId);

/** Whatever is wrong with a file, the message is never reported gone. */
async function expectUnknown(msgId: string, reason?: string) {
  const r = await read(msgId);
  expect(r.status).toBe('unknown');
  if (reason && r.status === 'unknown') expect(r.reason).toBe(reason);
  return r;
}

describe('state from folders (DESIGN.md §7)', () => {
  it.each([
    ['INBOX', 'new', false],
    ['Urgent', 'new', false],
    ['Old', 'saved', true],
    ['Work', 'saved', true],
    ['Cust3', 'saved', true],
    ['Deleted', 'deleted', true],
  ])('a message in %s is %s', async (folder, state, heard) => {
    await putMessage(spool.spoolDir, folder, 0, '1700000000-00000001');
    const r = await read('1700000000-00000001');
    expect(r).toMatchObject({
      status: 'known',
      state: { folder: state, heard },
      location: { folder, msgnum: 0 },
    });
  });

  it('a backup copy in Deleted does not make a live message deleted', async () => {
    await putMessage(spool.spoolDir, 'Old', 2, 'm-1');
    await putMessage(spool.spoolDir, 'Deleted', 0, 'm-1');
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-2');
    await putMessage(spool.spoolDir, 'Deleted', 1, 'm-2');
    expect(await read('m-1')).toMatchObject({
      state: { folder: 'saved' },
      copies: expect.arrayContaining([{ folder: 'Deleted', msgnum: 0 }]),
    });
    expect(await read('m-2')).toMatchObject({
      state: { folder: 'new' },
      location: { folder: 'INBOX' },
    });
  });

  it('a message no folder holds is purged, when the mailbox was read whole', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    expect(await read('m-gone')).toMatchObject({ status: 'purged', state: { folder: 'purged' } });
  });

  it('a mailbox that has no directory yet holds nothing', async () => {
    expect(await reader.readMessage('default', '1999', 'x')).toMatchObject({ status: 'purged' });
  });

  it('a missing spool is an error, never "everything purged"', async () => {
    const r = new SpoolReader(path.join(spool.root, 'not-mounted'));
    await expect(r.readMessage('default', '1001', 'x')).rejects.toMatchObject({
      code: 'SPOOL_UNAVAILABLE',
      retriable: true,
    });
  });

  it('lists every message with metadata and audio digest', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await putMessage(spool.spoolDir, 'INBOX', 1, 'm-2', {
      metadata: { callerid: '"Bob" <200>', duration: 9 },
    });
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan.complete).toBe(true);
    expect(scan.unknown).toEqual([]);
    const m2 = scan.messages.find((m) => m.msgId === 'm-2');
    expect(m2?.metadata).toMatchObject({ callerid: '"Bob" <200>', duration: 9 });
    expect(m2?.audio).toEqual({
      size: audioFor('m-2').length,
      sha256: sha256(audioFor('m-2')),
      format: 'wav',
    });
  });
});

describe('audio', () => {
  it('prefers wav over WAV over gsm', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1', { audioExt: 'gsm' });
    await writeFile(path.join(box('INBOX'), 'msg0000.wav'), 'the wav');
    await writeFile(path.join(box('INBOX'), 'msg0000.WAV'), 'the wav49');
    expect(await read('m-1')).toMatchObject({
      audio: { format: 'wav', sha256: sha256('the wav') },
    });
    await unlink(path.join(box('INBOX'), 'msg0000.wav'));
    expect(await read('m-1')).toMatchObject({
      audio: { format: 'wav49', sha256: sha256('the wav49') },
    });
    await unlink(path.join(box('INBOX'), 'msg0000.WAV'));
    expect(await read('m-1')).toMatchObject({ audio: { format: 'gsm' } });
  });

  it('notices new audio under the same name (the digest cache keys on file identity)', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    const first = await read('m-1');
    await writeFile(path.join(box('INBOX'), 'msg0000.wav'), 'different audio, different size');
    const second = await read('m-1');
    expect(
      first.status === 'known' &&
        second.status === 'known' &&
        first.audio.sha256 !== second.audio.sha256,
    ).toBe(true);
  });
});

describe('digests remembered from an earlier listing (a restarted watcher)', () => {
  it('a message moved to another folder keeps its audio file identity (no hashing again)', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    const first = await read('m-1');
    await mkdir(box('Old'), { recursive: true });
    for (const ext of ['txt', 'wav'])
      await rename(
        path.join(box('INBOX'), `msg0000.${ext}`),
        path.join(box('Old'), `msg0000.${ext}`),
      );
    const moved = await read('m-1');
    expect(moved).toMatchObject({ state: { folder: 'saved' } });
    expect(moved.status === 'known' && moved.audioFile).toBe(
      first.status === 'known' && first.audioFile,
    );
  });

  const remembered = 'f'.repeat(64);

  it('uses a remembered digest for the same audio file instead of reading it', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    const first = await read('m-1');
    if (first.status !== 'known') throw new Error('not read');
    // A new reader, as after a restart: only what it is given back stands for a read.
    reader = new SpoolReader(spool.spoolDir);
    reader.rememberDigests([{ file: first.audioFile, sha256: remembered }]);
    expect(await read('m-1')).toMatchObject({ audio: { sha256: remembered } });
  });

  it('reads the audio again when the file is not the one remembered', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    const first = await read('m-1');
    if (first.status !== 'known') throw new Error('not read');
    await writeFile(path.join(box('INBOX'), 'msg0000.wav'), 'other audio');
    reader = new SpoolReader(spool.spoolDir);
    reader.rememberDigests([{ file: first.audioFile, sha256: remembered }]);
    const again = await read('m-1');
    expect(again).toMatchObject({ audio: { sha256: sha256('other audio') } });
    expect(again.status === 'known' && again.audioFile).not.toBe(first.audioFile);
  });
});

describe('files that cannot be read are unknown, never deleted', () => {
  it('an empty .txt (being copied): unknown, and no other id is declared purged', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1', { txt: '' });
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan.complete).toBe(false);
    expect(scan.unknown[0]).toMatchObject({
      reason: 'partial-metadata',
      msgId: null,
      folder: 'INBOX',
      msgnum: 0,
    });
    await expectUnknown('m-1', 'partial-metadata');
  });

  it('a .txt cut short that already names its msg_id: unknown under that id', async () => {
    const full = serializeMessageMetadata(metadataFor('m-1'));
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1', {
      txt: full.slice(0, full.indexOf('flag=')),
    });
    const r = await expectUnknown('m-1', 'partial-metadata');
    expect(r.status === 'unknown' && r.msgId).toBe('m-1');
  });

  it('a partial copy in Old beside a readable copy in Deleted: unknown, not deleted', async () => {
    await putMessage(spool.spoolDir, 'Deleted', 0, 'm-1');
    const full = serializeMessageMetadata(metadataFor('m-1'));
    await putMessage(spool.spoolDir, 'Old', 0, 'm-1', { txt: full.slice(0, -1) });
    await expectUnknown('m-1', 'partial-metadata');
  });

  it('corrupt metadata', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1', {
      txt: 'msg_id=m-1\n[message]\nduration=1\n',
    });
    await expectUnknown('m-1', 'corrupt-metadata');
  });

  it('audio missing beside its .txt', async () => {
    await putMessage(spool.spoolDir, 'Old', 0, 'm-1', { audioExt: null });
    await expectUnknown('m-1', 'missing-audio');
  });

  it('audio in a format vmsync does not read (ulaw) counts as missing audio', async () => {
    await putMessage(spool.spoolDir, 'Old', 0, 'm-1', { audioExt: 'ulaw' });
    await expectUnknown('m-1', 'missing-audio');
  });

  it('audio whose .txt has not landed yet (deposit in progress)', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await putMessage(spool.spoolDir, 'INBOX', 1, null, { txt: null });
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan.unknown).toMatchObject([{ reason: 'missing-metadata', msgnum: 1 }]);
    expect(scan.messages.map((m) => m.msgId)).toEqual(['m-1']);
    await expectUnknown('m-other', 'missing-metadata');
  });

  it('a message in a folder Asterisk does not have', async () => {
    await putMessage(spool.spoolDir, 'Archive', 0, 'm-1');
    await putMessage(spool.spoolDir, 'inbox', 0, 'm-2');
    await expectUnknown('m-1', 'unknown-folder');
    await expectUnknown('m-2', 'unknown-folder');
  });

  it('a message in an unknown folder with a readable copy in Deleted stays unknown', async () => {
    await putMessage(spool.spoolDir, 'Deleted', 0, 'm-1');
    await putMessage(spool.spoolDir, 'Archive', 0, 'm-1');
    await expectUnknown('m-1', 'unknown-folder');
  });

  it('a .txt that is not a regular file', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1', { txt: null });
    await mkdir(path.join(box('INBOX'), 'msg0000.txt'));
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan.unknown[0]).toMatchObject({ reason: 'unreadable' });
    await expectUnknown('m-1');
  });

  it.skipIf(process.getuid?.() === 0)('a .txt without read permission', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await chmod(path.join(box('INBOX'), 'msg0000.txt'), 0);
    await expectUnknown('m-1', 'unreadable');
  });

  it.skipIf(process.getuid?.() === 0)('a folder without read permission', async () => {
    await putMessage(spool.spoolDir, 'Old', 0, 'm-1');
    await chmod(box('Old'), 0);
    await expectUnknown('m-1', 'unreadable');
    await chmod(box('Old'), 0o755);
  });

  // Root reads anything, so permission errors are checked by reading as `nobody`.
  it.skipIf(process.getuid?.() !== 0)(
    'files and folders without read permission (read as nobody)',
    async () => {
      await chmod(spool.root, 0o755);
      await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
      await putMessage(spool.spoolDir, 'Old', 0, 'm-2');
      await chmod(path.join(box('INBOX'), 'msg0000.txt'), 0);
      await chmod(box('Old'), 0);
      const script = [
        `import { SpoolReader } from ${JSON.stringify(path.join(import.meta.dirname, 'spool-reader.ts'))};`,
        `const r = new SpoolReader(${JSON.stringify(spool.spoolDir)});`,
        'const out = {};',
        "for (const id of ['m-1', 'm-2', 'm-other']) out[id] = await r.readMessage('default', '1001', id);",
        'console.log(JSON.stringify(out));',
      ].join('\n');
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          uid: 65534,
          gid: 65534,
          encoding: 'utf8',
          cwd: path.resolve(import.meta.dirname, '../../..'),
        },
      );
      expect(child.stderr).toBe('');
      const out = JSON.parse(child.stdout) as Record<string, { status: string; reason: string }>;
      expect(out['m-1']).toMatchObject({ status: 'unknown', reason: 'unreadable' });
      expect(out['m-2']).toMatchObject({ status: 'unknown', reason: 'unreadable' });
      expect(out['m-other']).toMatchObject({ status: 'unknown' });
      await chmod(box('Old'), 0o755);
    },
  );

  it('a symlinked message file is never followed', async () => {
    const outside = path.join(spool.root, 'outside.txt');
    await writeFile(outside, serializeMessageMetadata(metadataFor('m-1')));
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1', { txt: null });
    await symlink(outside, path.join(box('INBOX'), 'msg0000.txt'));
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan.unknown).toMatchObject([{ reason: 'symlink', msgId: null }]);
    await expectUnknown('m-1', 'symlink');
  });

  it('a symlinked audio file is never followed', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1', { audioExt: null });
    await writeFile(path.join(spool.root, 'outside.wav'), 'x');
    await symlink(path.join(spool.root, 'outside.wav'), path.join(box('INBOX'), 'msg0000.wav'));
    await expectUnknown('m-1', 'symlink');
  });

  it('a folder that links out of the spool is not read', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-0');
    const elsewhere = path.join(spool.root, 'elsewhere', 'Old');
    await mkdir(elsewhere, { recursive: true });
    await writeFile(
      path.join(elsewhere, 'msg0000.txt'),
      serializeMessageMetadata(metadataFor('m-1')),
    );
    await writeFile(path.join(elsewhere, 'msg0000.wav'), 'x');
    await symlink(elsewhere, box('Old'));
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan.unknown).toMatchObject([{ reason: 'outside-spool', folder: 'Old' }]);
    expect(scan.messages.map((m) => m.msgId)).toEqual(['m-0']);
    await expectUnknown('m-1', 'outside-spool');
  });

  it('a mailbox linked to another mailbox inside the spool is read (shared mailboxes)', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await symlink(
      path.join(spool.spoolDir, 'default', '1001'),
      path.join(spool.spoolDir, 'default', '1002'),
    );
    expect(await reader.readMessage('default', '1002', 'm-1')).toMatchObject({ status: 'known' });
  });

  it('a message written before Asterisk 12 (no msg_id) cannot hide another id', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, null);
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan.unknown).toMatchObject([{ reason: 'no-msg-id' }]);
    expect(scan.complete).toBe(true);
    expect(await read('m-gone')).toMatchObject({ status: 'purged' });
  });

  it('names Asterisk would not write are never read', async () => {
    const dir = box('INBOX');
    await mkdir(dir, { recursive: true });
    for (const name of [
      'msg1.txt',
      'msg00000.txt',
      'msg0000.txt~',
      'Msg0000.txt',
      'msg0000.txt.bak',
      '.msg0000.txt',
    ]) {
      await writeFile(path.join(dir, name), serializeMessageMetadata(metadataFor('m-1')));
    }
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan).toMatchObject({ messages: [], unknown: [], complete: true });
  });

  it("ignores locks, greetings and Asterisk's tmp directory", async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await writeFile(path.join(box('INBOX'), '.lock'), '');
    await writeFile(path.join(box(''), 'unavail.wav'), 'greeting');
    await mkdir(box('tmp'));
    await writeFile(path.join(box('tmp'), 'aBc123'), 'recording');
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan).toMatchObject({ complete: true, unknown: [] });
    expect(scan.messages).toHaveLength(1);
  });
});

describe('a message moving between folders while it is read', () => {
  it('is never reported purged or deleted', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await mkdir(box('Old'), { recursive: true });
    let stop = false;
    // Asterisk-style moves: copy (link) into the target, then remove from the source.
    const mover = (async () => {
      let from = 'INBOX';
      let to = 'Old';
      while (!stop) {
        for (const ext of ['wav', 'txt'])
          await link(path.join(box(from), `msg0000.${ext}`), path.join(box(to), `msg0000.${ext}`));
        for (const ext of ['txt', 'wav']) await unlink(path.join(box(from), `msg0000.${ext}`));
        [from, to] = [to, from];
        await new Promise((r) => setImmediate(r));
      }
    })();
    const seen = new Set<string>();
    for (let i = 0; i < 150; i++) {
      const r = await read('m-1');
      seen.add(r.status === 'known' ? r.state.folder : r.status);
      expect(r.status).not.toBe('purged');
      if (r.status === 'known') expect(r.state.folder).not.toBe('deleted');
    }
    stop = true;
    await mover;
    expect(seen.has('new') || seen.has('saved')).toBe(true);
  });

  it("a resequence (renames) never pairs one message's metadata with another's audio", async () => {
    for (let i = 0; i < 4; i++) await putMessage(spool.spoolDir, 'Old', i, `m-${i}`);
    let stop = false;
    const shuffler = (async () => {
      while (!stop) {
        // Rotate slots 1..3 through a gap, as resequencing does after a removal.
        await rename(path.join(box('Old'), 'msg0001.wav'), path.join(box('Old'), 'msg0009.wav'));
        await rename(path.join(box('Old'), 'msg0001.txt'), path.join(box('Old'), 'msg0009.txt'));
        for (const n of [2, 3]) {
          for (const ext of ['wav', 'txt']) {
            await rename(
              path.join(box('Old'), `msg000${n}.${ext}`),
              path.join(box('Old'), `msg000${n - 1}.${ext}`),
            );
          }
        }
        for (const ext of ['wav', 'txt'])
          await rename(
            path.join(box('Old'), `msg0009.${ext}`),
            path.join(box('Old'), `msg0003.${ext}`),
          );
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 100; i++) {
      const scan = await reader.scanMailbox('default', '1001');
      for (const m of scan.messages) expect(m.audio.sha256).toBe(sha256(audioFor(m.msgId)));
    }
    stop = true;
    await shuffler;
    await rm(box('Old'), { recursive: true });
  });
});

describe('mailbox version (what lets a periodic rescan skip an unchanged mailbox)', () => {
  const version = () => reader.mailboxVersion('default', '1001');
  // A folder's modification time moves in the kernel's clock ticks: a change in the same
  // tick as the one before it could keep it. The rescan it serves runs a minute apart.
  const tick = () => new Promise((r) => setTimeout(r, 30));

  beforeEach(async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await putMessage(spool.spoolDir, 'Old', 0, 'm-2');
    await tick();
  });

  it("is the whole scan's while nothing changes", async () => {
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan.complete).toBe(true);
    expect(scan.version).toEqual(expect.any(String));
    expect(await version()).toBe(scan.version);
    expect(await version()).toBe(scan.version);
  });

  it('changes when a message is heard (moved), added or deleted', async () => {
    const v0 = await version();
    await mkdir(box('Old'), { recursive: true });
    for (const ext of ['txt', 'wav']) {
      await rename(
        path.join(box('INBOX'), `msg0000.${ext}`),
        path.join(box('Old'), `msg0001.${ext}`),
      );
    }
    const v1 = await version();
    expect(v1).not.toBe(v0);
    await tick();
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-3');
    const v2 = await version();
    expect(v2).not.toBe(v1);
    await tick();
    await unlink(path.join(box('Old'), 'msg0000.txt'));
    expect(await version()).not.toBe(v2);
  });

  it('changes when a slot is reused under the same file names (one message replaced by another)', async () => {
    const before = await version();
    await unlink(path.join(box('INBOX'), 'msg0000.txt'));
    await unlink(path.join(box('INBOX'), 'msg0000.wav'));
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-9');
    expect(await version()).not.toBe(before);
  });

  it('is not given for a scan that could not read the mailbox whole', async () => {
    await putMessage(spool.spoolDir, 'INBOX', 1, 'm-4', { txt: '[message]\n' });
    const scan = await reader.scanMailbox('default', '1001');
    expect(scan).toMatchObject({ complete: false, unknown: [{ reason: 'partial-metadata' }] });
    expect(scan.version).toBeUndefined();
  });
});
