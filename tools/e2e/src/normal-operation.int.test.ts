/**
 * Acceptance: DESIGN.md §3.2, one test per row, for `wav` and `text` pairs, on the real
 * services and stack, acting only as the users do (the spool, the mailbox).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from './world.js';

const world = new World('normal', 30, 2); // user30: WAV attached; user31: text only
const WAV = 0;
const TEXT = 1;
const unread = { folder: 'INBOX' as const, seen: false };
const read = { folder: 'INBOX' as const, seen: true };

beforeAll(() => world.start(), 180_000);
afterAll(() => world.stop());

describe('normal operation, wav (§3.2)', () => {
  it('voicemail deleted -> email deleted (Trash)', async () => {
    const p = await world.pair(WAV);
    await p.phone.act('delete', p.msgId);
    await world.settle(p, { folder: 'deleted', email: { folder: 'Trash', seen: false } });
  });

  it('voicemail heard -> email read', async () => {
    const p = await world.pair(WAV);
    await p.phone.act('listen', p.msgId);
    await world.settle(p, { folder: 'saved', email: read });
  });

  it('voicemail undeleted -> email back in the Inbox', async () => {
    const p = await world.pair(WAV);
    await p.phone.act('delete', p.msgId);
    await world.settle(p, { folder: 'deleted', email: { folder: 'Trash', seen: false } });
    await p.phone.act('undelete', p.msgId);
    // Asterisk undeletes to Old (heard): the email comes back, read
    await world.settle(p, { folder: 'saved', email: read });
  });

  it('voicemail marked unheard (back in new) -> email unread', async () => {
    const p = await world.pair(WAV);
    await p.phone.act('listen', p.msgId);
    await world.settle(p, { folder: 'saved', email: read });
    await p.phone.act('unheard', p.msgId);
    await world.settle(p, { folder: 'new', email: unread });
  });

  it('email deleted (Trash) -> voicemail deleted', async () => {
    const p = await world.pair(WAV);
    await p.mail.moveTo(p.messageId, 'Trash');
    await world.settle(p, { folder: 'deleted', email: { folder: 'Trash', seen: false } });
  });

  it('email read -> voicemail heard', async () => {
    const p = await world.pair(WAV);
    await p.mail.markRead(p.messageId);
    await world.settle(p, { folder: 'saved', email: read });
  });

  it('email undeleted (out of Trash) -> voicemail saved', async () => {
    const p = await world.pair(WAV);
    await p.mail.markRead(p.messageId);
    await world.settle(p, { folder: 'saved', email: read });
    await p.mail.moveTo(p.messageId, 'Trash');
    await world.settle(p, { folder: 'deleted', email: { folder: 'Trash', seen: true } });
    await p.mail.moveTo(p.messageId, 'INBOX');
    await world.settle(p, { folder: 'saved', email: read });
  });

  it('email marked unread -> voicemail unheard', async () => {
    const p = await world.pair(WAV);
    await p.mail.markRead(p.messageId);
    await world.settle(p, { folder: 'saved', email: read });
    await p.mail.markRead(p.messageId, false);
    await world.settle(p, { folder: 'new', email: unread });
  });

  it('email archived is not a deletion: the voicemail stays', async () => {
    const p = await world.pair(WAV);
    await p.mail.moveTo(p.messageId, 'Archive');
    await new Promise((r) => setTimeout(r, 2500)); // one poll of the other folders, and more
    expect(await world.voicemail(p)).toBe('new');
  });
});

describe('normal operation, text (§3.2)', () => {
  it('voicemail deleted -> email deleted', async () => {
    const p = await world.pair(TEXT);
    await p.phone.act('delete', p.msgId);
    await world.settle(p, { folder: 'deleted', email: { folder: 'Trash', seen: false } });
  });

  it('voicemail heard -> email read', async () => {
    const p = await world.pair(TEXT);
    await p.phone.act('listen', p.msgId);
    await world.settle(p, { folder: 'saved', email: read });
  });

  it('anything else -> nothing: email read or deleted leaves the voicemail alone', async () => {
    const p = await world.pair(TEXT);
    await p.mail.markRead(p.messageId);
    await p.mail.moveTo(p.messageId, 'Trash');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await world.voicemail(p)).toBe('new');
  });
});

describe('linking (§3.1, §4)', () => {
  it('a voicemail heard before its email arrived gets its email marked read on link', async () => {
    const phone = world.phone(WAV);
    const v = await phone.voicemail({
      caller: 'Early',
      callerNum: '5550111',
      signed: true,
      notify: false,
    });
    const audio = await import('node:fs/promises').then((fs) => fs.readFile(v.message.audioPath));
    await phone.act('listen', v.message.msgId);
    const messageId = await phone.notify(v.message, true, audio);
    const p = { msgId: v.message.msgId, messageId, phone, mail: world.mail(WAV) };
    await world.settle(p, { folder: 'saved', email: read });
  });

  it('an unsigned Asterisk notification links by its headers', async () => {
    const p = await world.pair(WAV, { signed: false });
    await p.mail.markRead(p.messageId);
    await world.settle(p, { folder: 'saved', email: read });
  });

  it('a forged notification changes nothing', async () => {
    const phone = world.phone(WAV);
    // the real voicemail, notified; then a stranger's copy of the notification, deleted
    const real = await world.pair(WAV);
    const forged = await phone.voicemail({
      caller: 'Test',
      callerNum: '5550100',
      signed: false,
      notify: false,
    });
    const ctx = { ...world.ctx, serverEmail: 'asterisk@evil.example' };
    const { PhoneUser } = await import('@vmsync/demo');
    const stranger = new PhoneUser(ctx, phone.user);
    const forgedId = await stranger.notify(forged.message, false);
    await world.until('the forged email', () => world.mail(WAV).find(forgedId));
    await world.mail(WAV).moveTo(forgedId, 'Trash');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await phone.folderOf(forged.message.msgId)).toBe('new');
    expect(await world.voicemail(real)).toBe('new');
    expect(
      world
        .service('rules')
        .logs()
        .some((l) => l.outcome === 'refused'),
    ).toBe(true);
  });
});
