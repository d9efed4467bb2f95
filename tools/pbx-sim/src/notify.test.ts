import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { verifyRef } from '@vmsync/notification';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DepositedMessage, deposit } from './deposit.js';
import { buildNotification } from './notify.js';

let root: string;
let msg: DepositedMessage;
const now = new Date('2023-11-28T11:58:00Z');

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pbx-sim-'));
  const spoolDir = path.join(root, 'spool');
  await deposit({ spoolDir, mailbox: '1001' });
  msg = await deposit({
    spoolDir,
    mailbox: '1001',
    caller: { number: '100', name: 'Alice' },
    durationSec: 65,
    now,
  });
});
afterEach(() => rm(root, { recursive: true, force: true }));

const user = { email: 'user1@example.test', fullname: 'User 1', attach: true };

function headers(raw: string): Map<string, string> {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  return new Map(
    head
      .split('\r\n')
      .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

describe('buildNotification (make_email_file, file storage)', () => {
  it("writes Asterisk's headers", async () => {
    const n = await buildNotification({
      message: msg,
      user,
      serverEmail: 'vm@pbx.example.test',
      host: 'pbx',
      pid: 4242,
      now,
    });
    const h = headers(n.raw);
    expect(h.get('date')).toBe('Tue, 28 Nov 2023 11:58:00 +0000');
    expect(h.get('from')).toBe('"Asterisk PBX" <vm@pbx.example.test>');
    expect(h.get('to')).toBe('"User 1" <user1@example.test>');
    expect(h.get('subject')).toBe('[PBX]: New message 2 in mailbox 1001');
    expect(h.get('message-id')).toMatch(/^<Asterisk-2-\d+-1001-4242@pbx>$/);
    expect(h.get('message-id')).toBe(n.messageId);
    expect(h.get('x-asterisk-callerid')).toBe('100');
    expect(h.get('x-asterisk-calleridname')).toBe('Alice');
    expect(h.get('mime-version')).toBe('1.0');
    expect(h.has('x-vmsync-ref')).toBe(false);
    expect([...h.keys()].some((k) => k.startsWith('x-asterisk-vm-'))).toBe(false);
    expect(n.raw).not.toMatch(/[^\r]\n/);
  });

  it('says who called and for how long in the default body', async () => {
    const n = await buildNotification({ message: msg, user, serverEmail: 'vm', host: 'pbx', now });
    expect(headers(n.raw).get('from')).toBe('"Asterisk PBX" <vm@pbx>');
    expect(n.raw).toContain(
      'Dear User 1:\r\n\r\n\tJust wanted to let you know you were just left a 1:05 long message (number 2)\r\nin mailbox 1001 from Alice, on Tuesday, November 28, 2023 at 11:58:00 AM so you might',
    );
  });

  it('attaches the audio as msgNNNN.wav (audio/x-wav, base64) with attach=yes', async () => {
    const n = await buildNotification({ message: msg, user, serverEmail: 'vm@x.test', now });
    expect(n.attachmentName).toBe('msg0001.wav');
    const boundary = /boundary="([^"]+)"/.exec(n.raw)?.[1] ?? '';
    expect(boundary).toMatch(/^----voicemail_21001/);
    const parts = n.raw.split(`--${boundary}`);
    expect(parts).toHaveLength(4); // preamble, text, audio, closing
    const audio = parts[2] ?? '';
    expect(audio).toContain('Content-Type: audio/x-wav; name="msg0001.wav"');
    expect(audio).toContain('Content-Disposition: attachment; filename="msg0001.wav"');
    const body = audio.slice(audio.indexOf('\r\n\r\n') + 4).trim();
    expect(body.split('\r\n').every((l) => l.length <= 72)).toBe(true);
    const bytes = Buffer.from(body.replace(/\r\n/g, ''), 'base64');
    expect(bytes.length).toBe(msg.audio.size);
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(parts[3]?.startsWith('--')).toBe(true);
  });

  it('sends text only with attach=no', async () => {
    const n = await buildNotification({
      message: msg,
      user: { ...user, attach: false },
      serverEmail: 'vm@x.test',
      now,
    });
    expect(n.attachmentName).toBeNull();
    expect(headers(n.raw).get('content-type')).toBe('text/plain; charset=ISO-8859-1');
    expect(n.raw).not.toContain('audio/x-wav');
  });

  it('names an urgent message and honours pbxskip', async () => {
    const urgent = { ...msg, metadata: { ...msg.metadata, flag: 'Urgent' } };
    const n = await buildNotification({
      message: urgent,
      user,
      serverEmail: 'vm@x.test',
      pbxSkip: true,
      now,
    });
    expect(n.subject).toBe('New Urgent message 2 in mailbox 1001');
  });

  it('adds a signed X-Vmsync-Ref when asked', async () => {
    const n = await buildNotification({
      message: msg,
      user,
      serverEmail: 'vm@x.test',
      ref: { server: 'pbx1', secret: 's3cret' },
      now,
    });
    const ref = headers(n.raw).get('x-vmsync-ref') ?? '';
    expect(verifyRef(ref, 's3cret')).toEqual({
      ok: true,
      ref: { server: 'pbx1', mailbox: '1001@default', msgId: msg.msgId, to: user.email },
    });
  });
});
