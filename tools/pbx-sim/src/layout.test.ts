import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseVoicemailConf } from '@vmsync/asterisk-spool';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpoolLayout } from './layout.js';

let root: string;
afterEach(() => rm(root, { recursive: true, force: true }));

describe('createSpoolLayout', () => {
  it('writes a voicemail.conf with N users that the spool library reads back', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pbx-sim-'));
    const layout = await createSpoolLayout({
      root,
      users: 5,
      attach: (i) => i !== 3,
      backupDeleted: 10,
    });
    const conf = parseVoicemailConf(await readFile(layout.confPath, 'utf8'));
    expect(conf.warnings).toEqual([]);
    expect(conf.users.map((u) => [u.id, u.notify?.email, u.notify?.kind, u.maxDeleted])).toEqual([
      ['1001@default', 'user1@example.test', 'wav', 10],
      ['1002@default', 'user2@example.test', 'wav', 10],
      ['1003@default', 'user3@example.test', 'text', 10],
      ['1004@default', 'user4@example.test', 'wav', 10],
      ['1005@default', 'user5@example.test', 'wav', 10],
    ]);
    expect(layout.users[2]).toMatchObject({
      mailbox: '1003',
      email: 'user3@example.test',
      attach: false,
    });
    expect((await stat(path.join(layout.spoolDir, 'default', '1005', 'INBOX'))).isDirectory()).toBe(
      true,
    );
  });
});
