import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyMailAction } from './apply-mail-action.js';
import { ImapConnector } from './imap-connector.adapter.js';
import { loadMailDomains } from './mail-domains.js';
import { classifyMailboxFailure } from './mailbox-error.js';
import { MailboxSession } from './mailbox-session.js';
import { PBX_SENDER, stackEnv, TestMailbox, writeTestDomainsFile } from './testing/index.js';

const env = stackEnv();
const USER = 'user10@example.test';
const connector = (key?: string) =>
  new ImapConnector(loadMailDomains(writeTestDomainsFile(env, key)), {
    login: { ratePerSecond: 20, burst: 20 },
    keepAliveMs: 0,
  });
const sessionOf = async (readOnly: boolean) =>
  MailboxSession.open(await connector().connect(USER), {
    account: USER,
    senders: [PBX_SENDER],
    readOnly,
  });

describe('MailboxSession against Dovecot (XOAUTH2 via the token endpoint)', () => {
  let user: TestMailbox;
  let watcher: MailboxSession;
  let actor: MailboxSession;

  beforeAll(async () => {
    user = await TestMailbox.open(env, USER);
    await user.reset();
    watcher = await sessionOf(true);
    actor = await sessionOf(false);
  });
  afterAll(async () => {
    await Promise.allSettled([watcher?.close(), actor?.close(), user?.close()]);
  });

  it('finds notifications by header, reads only envelope, BODYSTRUCTURE and the few headers', async () => {
    const wav = await user.deliver({ callerId: '2001', callerName: 'Alice' });
    const text = await user.deliver({ attachment: false });
    const look = await watcher.look();
    const found = look.emails.get(`mid:${wav}`);
    expect(found?.state).toEqual({ location: 'inbox', read: false });
    expect(found?.notification).toMatchObject({
      messageId: wav,
      from: `"Asterisk PBX" <${PBX_SENDER}>`,
      headers: { 'x-asterisk-callerid': '2001', 'x-asterisk-calleridname': 'Alice' },
      attachment: { filename: 'msg0000.wav', type: 'audio/x-wav', encoding: 'base64' },
    });
    expect(look.emails.get(`mid:${text}`)?.notification.attachment).toBeNull();
    // PEEK only: looking never marks read
    expect(await user.where(wav)).toEqual([{ folder: 'INBOX', read: false }]);
  });

  it('sees read, trash, archive and purge; purged only after confirming', async () => {
    const id = await user.deliver();
    const emailId = `mid:${id}`;
    await watcher.look();
    await user.markRead(id);
    expect((await watcher.look()).emails.get(emailId)?.state).toEqual({
      location: 'inbox',
      read: true,
    });
    await user.move(id, 'INBOX', 'Trash');
    expect((await watcher.look()).emails.get(emailId)?.state.location).toBe('trash');
    await user.move(id, 'Trash', 'Archive');
    expect((await watcher.look()).emails.get(emailId)?.state.location).toBe('archive');
    await user.move(id, 'Archive', 'Trash');
    await watcher.look();
    await user.purge(id);
    const look = await watcher.look([emailId]);
    expect(look.emails.has(emailId)).toBe(false);
    expect(look.purged).toEqual([emailId]);
  });

  it('wakes from IDLE when INBOX changes', async () => {
    const id = await user.deliver();
    await watcher.look();
    const waiting = watcher.waitForChange(10_000);
    await new Promise((r) => setTimeout(r, 200));
    await user.markRead(id);
    expect(await waiting).toBe('changed');
    expect((await watcher.look()).emails.get(`mid:${id}`)?.state.read).toBe(true);
  });

  it('sees a change Dovecot held back as it hibernated the IDLE session, at the renewal asked for', async () => {
    await watcher.look();
    // Dovecot hands an IDLE session to imap-hibernate 5 s after it began; a change in the
    // last ~0.5 s before (its 500 ms notify delay still pending) is reported only when the
    // client next sends something: here the renewal, 8 s in.
    watcher.renewIdleAt(8_000);
    const started = performance.now();
    const waiting = watcher.waitForChange(25_000);
    await new Promise((r) => setTimeout(r, 4_750));
    const id = await user.deliver();
    expect(await waiting).toBe('changed');
    expect(performance.now() - started).toBeLessThan(15_000);
    expect((await watcher.look()).emails.has(`mid:${id}`)).toBe(true);
  }, 40_000);

  it('first look: empty folders are known from the opening LIST, unless INBOX moved since', async () => {
    await user.reset();
    const stays = await user.deliver();
    const moved = await user.deliver();
    // The LIST (with STATUS) finds Archive empty; the user archives one before the first look.
    const fresh = await sessionOf(true);
    try {
      await user.move(moved, 'INBOX', 'Archive');
      const look = await fresh.look();
      expect(look.emails.get(`mid:${stays}`)?.state.location).toBe('inbox');
      expect(look.emails.get(`mid:${moved}`)?.state.location).toBe('archive');
    } finally {
      await fresh.close();
    }
    // Nothing moved: the first look of the next session is as complete.
    const again = await sessionOf(true);
    try {
      const look = await again.look();
      expect([...look.emails.values()].map((e) => e.state.location).sort()).toEqual([
        'archive',
        'inbox',
      ]);
    } finally {
      await again.close();
    }
  });

  it('tells a push of flags alone from one that moved a message; after flags alone, INBOX is all it reads', async () => {
    await user.reset();
    const id = await user.deliver();
    const session = await sessionOf(true);
    try {
      await session.look();
      await user.markRead(id);
      expect(await session.waitForChange(10_000)).toBe('changed');
      expect(session.onlyFlagsChanged).toBe(true);
      const status = vi.spyOn(session.client, 'status');
      const look = await session.look([], { fresh: false });
      expect(look.emails.get(`mid:${id}`)?.state).toEqual({ location: 'inbox', read: true });
      expect(status).not.toHaveBeenCalled();
      await user.move(id, 'INBOX', 'Trash');
      expect(await session.waitForChange(10_000)).toBe('changed');
      expect(session.onlyFlagsChanged).toBe(false);
      expect((await session.look()).emails.get(`mid:${id}`)?.state.location).toBe('trash');
    } finally {
      await session.close();
    }
  });

  it('applies actions as "make it so": read, trash, back to inbox, from archive; no-op and not-found', async () => {
    const id = await user.deliver();
    const emailId = `mid:${id}`;
    const intents: string[] = [];
    const apply = (action: Parameters<typeof applyMailAction>[2]) =>
      applyMailAction(actor, emailId, action, async () => void intents.push(action));

    expect(await apply('ensure-read')).toMatchObject({ kind: 'applied', after: { read: true } });
    expect(await apply('ensure-read')).toMatchObject({ kind: 'already' });
    expect(await apply('ensure-trash')).toMatchObject({
      kind: 'applied',
      after: { location: 'trash' },
    });
    expect(await user.where(id)).toEqual([{ folder: 'Trash', read: true }]);
    expect(await apply('ensure-inbox')).toMatchObject({
      kind: 'applied',
      after: { location: 'inbox' },
    });
    await user.move(id, 'INBOX', 'Archive');
    expect(await apply('ensure-inbox')).toMatchObject({ kind: 'applied' });
    expect(await user.where(id)).toEqual([{ folder: 'INBOX', read: true }]);
    expect(await apply('ensure-unread')).toMatchObject({ kind: 'applied', after: { read: false } });
    expect(intents).toEqual([
      'ensure-read',
      'ensure-trash',
      'ensure-inbox',
      'ensure-inbox',
      'ensure-unread',
    ]);
    expect(
      await applyMailAction(actor, 'mid:<nowhere@pbx>', 'ensure-read', async () => {}),
    ).toEqual({
      kind: 'not-found',
    });
  });

  it('applying an action opens only the folders that hold messages (LIST-STATUS)', async () => {
    await user.reset();
    const id = await user.deliver();
    const opened = vi.spyOn(actor.client, 'mailboxOpen');
    try {
      expect(
        await applyMailAction(actor, `mid:${id}`, 'ensure-read', async () => {}),
      ).toMatchObject({ kind: 'applied' });
      // Sent, Drafts and Archive are empty: never selected (nor Trash, when it is empty).
      const paths = new Set(opened.mock.calls.map(([path]) => path));
      expect(paths.has('INBOX')).toBe(true);
      for (const empty of ['Sent', 'Drafts', 'Archive']) expect(paths.has(empty)).toBe(false);
      // Read or unread: found once, its flags read again after the STORE (no second search).
      const located = vi.spyOn(actor, 'locate');
      expect(
        await applyMailAction(actor, `mid:${id}`, 'ensure-unread', async () => {}),
      ).toMatchObject({ kind: 'applied', after: { read: false } });
      expect(located).toHaveBeenCalledTimes(1);
      located.mockRestore();
      expect(await user.where(id)).toEqual([{ folder: 'INBOX', read: false }]);
      // Once it is in Trash, Trash is searched too.
      expect(
        await applyMailAction(actor, `mid:${id}`, 'ensure-trash', async () => {}),
      ).toMatchObject({ kind: 'applied', after: { location: 'trash', read: false } });
      expect(await user.where(id)).toEqual([{ folder: 'Trash', read: false }]);
    } finally {
      opened.mockRestore();
    }
  });

  it('recovers when the server refuses an expired cached token: mints a fresh one', async () => {
    let stale = true;
    let minted = 0;
    const expiring = new ImapConnector(loadMailDomains(writeTestDomainsFile(env)), {
      login: { ratePerSecond: 20, burst: 20 },
      keepAliveMs: 0,
      wrapCredential: (real) => ({
        // The cache still holds a token the server no longer accepts (it expired).
        accessToken: async (subject) => {
          if (stale) return 'ya29.expired-token';
          minted++;
          return real.accessToken(subject);
        },
        invalidate: (subject) => {
          stale = false;
          real.invalidate(subject);
        },
      }),
    });
    const client = await expiring.connect(USER);
    expect(client.usable).toBe(true);
    expect(minted).toBe(1);
    await client.logout();
  });

  it('reports an undelegated key and a deleted key as needing admin action', async () => {
    for (const key of [env.VMSYNC_TEST_SA_KEY_UNDELEGATED, env.VMSYNC_TEST_SA_KEY_DELETED]) {
      const error = await connector(key)
        .connect(USER)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(classifyMailboxFailure(error)).toBe('admin');
      expect((error as Error).message).toMatch(/Domain-wide delegation|create a new JSON key/);
    }
  });
});
