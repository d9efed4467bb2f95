// The Gmail paths of the library against a stand-in speaking Gmail's IMAP dialect
// (gmail-imap-standin.ts: hoodiecrow-imap with Gmail's label model), since the local
// Dovecot has no X-GM-EXT-1. Connects as the services do: ImapConnector, a `google`
// domain, IMAPS, AUTHENTICATE XOAUTH2 (the token source is stubbed: no token endpoint).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_MAIL, GmailStandin, SPAM } from './gmail-imap-standin.js';
import { applyMailAction, ImapConnector, loadMailDomains, MailboxSession } from './index.js';

const USER = 'alice@example.com';
const TOKEN = 'ya29.standin-token';
const PBX = 'asterisk@pbx.example.com';
const TRASH = '[Gmail]/Corbeille';

let counter = 0;
function notification(o: { text?: boolean; from?: string; pbx?: boolean } = {}): string {
  counter++;
  const headers = [
    `From: "Asterisk PBX" <${o.from ?? PBX}>`,
    `To: ${USER}`,
    `Subject: New voicemail ${counter}`,
    `Message-ID: <Asterisk-${counter}-${Date.now()}@pbx>`,
    `Date: ${new Date().toUTCString()}`,
    ...(o.pbx === false ? [] : ['X-Asterisk-CallerID: 2001', 'X-Asterisk-CallerIDName: Alice']),
    'MIME-Version: 1.0',
  ];
  const body = o.text
    ? ['Content-Type: text/plain', '', 'You have a new voicemail.', '']
    : [
        'Content-Type: multipart/mixed; boundary="vm"',
        '',
        '--vm',
        'Content-Type: text/plain',
        '',
        'You have a new voicemail.',
        '--vm',
        'Content-Type: audio/x-wav; name="msg0000.wav"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="msg0000.wav"',
        '',
        'UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=',
        '--vm--',
        '',
      ];
  return [...headers, ...body].join('\r\n');
}

describe('the Gmail dialect, against a stand-in (XOAUTH2, X-GM-EXT-1, labels as folders)', {
  timeout: 30_000,
}, () => {
  let gmail: GmailStandin;
  let dir: string;
  let connector: ImapConnector;
  let watcher: MailboxSession;
  let actor: MailboxSession;
  const session = async (readOnly: boolean) =>
    MailboxSession.open(await connector.connect(USER), { account: USER, senders: [PBX], readOnly });

  beforeAll(async () => {
    gmail = await GmailStandin.start({ user: USER, accessToken: TOKEN, trashName: 'Corbeille' });
    dir = mkdtempSync(join(tmpdir(), 'gmail-dialect-'));
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    writeFileSync(
      join(dir, 'sa.json'),
      JSON.stringify({
        type: 'service_account',
        project_id: 'standin',
        private_key_id: 'abc123',
        private_key: privateKey,
        client_email: 'vmsync@standin.iam.gserviceaccount.com',
        client_id: '1234567890',
      }),
    );
    writeFileSync(join(dir, 'ca.pem'), gmail.ca);
    writeFileSync(
      join(dir, 'domains.json'),
      JSON.stringify({
        domains: [
          {
            domain: 'example.com',
            kind: 'google',
            serviceAccountKeyFile: join(dir, 'sa.json'),
            imap: {
              host: '127.0.0.1',
              port: gmail.port,
              secure: true,
              tlsCaFile: join(dir, 'ca.pem'),
              servername: 'localhost',
            },
          },
        ],
      }),
    );
    connector = new ImapConnector(loadMailDomains(join(dir, 'domains.json')), {
      login: { ratePerSecond: 20, burst: 20 },
      keepAliveMs: 0,
      // The stand-in accepts one token; Google's token endpoint is not part of this test.
      wrapCredential: () => ({ accessToken: async () => TOKEN, invalidate: () => {} }),
    });
    watcher = await session(true);
    actor = await session(false);
  });
  afterAll(async () => {
    await Promise.allSettled([watcher?.close(), actor?.close()]);
    await gmail?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds Trash by SPECIAL-USE under a localized name, All Mail and Spam as archives', () => {
    expect(watcher.plan).toEqual({
      inbox: 'INBOX',
      trash: TRASH,
      archive: [ALL_MAIL, SPAM],
      gmail: true,
      condstore: true,
      move: true,
      uidplus: true,
    });
  });

  it('keys notifications by X-GM-MSGID: one email for its INBOX and All Mail copies', async () => {
    const msgid = gmail.deliver(notification());
    const text = gmail.deliver(notification({ text: true, pbx: false }));
    const other = gmail.deliver(notification({ from: 'someone@example.org', pbx: false }));
    const look = await watcher.look();
    const found = look.emails.get(`gm:${msgid}`);
    expect(found?.state).toEqual({ location: 'inbox', read: false });
    expect(found?.copies.map((c) => c.folder).sort()).toEqual(['INBOX', ALL_MAIL]);
    expect(found?.notification).toMatchObject({
      from: `"Asterisk PBX" <${PBX}>`,
      headers: { 'x-asterisk-callerid': '2001', 'x-asterisk-calleridname': 'Alice' },
      attachment: { filename: 'msg0000.wav', type: 'audio/x-wav', encoding: 'base64' },
    });
    // Recognised by its sender alone; the Message-ID is not the key on Gmail.
    expect(look.emails.get(`gm:${text}`)?.notification.attachment).toBeNull();
    expect(look.emails.has(`gm:${other}`)).toBe(false);
    expect([...look.emails.keys()].every((id) => id.startsWith('gm:'))).toBe(true);
    // Looking is PEEK only, and reads no body.
    expect(gmail.where(msgid)?.seen).toBe(false);
    const fetches = gmail.commands.filter((c) => /FETCH/.test(c));
    expect(fetches.some((c) => /BODY\.PEEK\[HEADER\.FIELDS/.test(c))).toBe(true);
    expect(fetches.filter((c) => /BODY\[|RFC822|BINARY/.test(c))).toEqual([]);
  });

  it('sees archive (Inbox label removed) as archive, not a deletion; Trash, Spam, back, purge', async () => {
    const msgid = gmail.deliver(notification());
    const emailId = `gm:${msgid}`;
    const state = async () => {
      const look = await watcher.look([emailId]);
      return { state: look.emails.get(emailId)?.state, purged: look.purged };
    };
    expect(await state()).toEqual({ state: { location: 'inbox', read: false }, purged: [] });
    const inboxUid = gmail.uidIn(msgid, 'INBOX');

    gmail.setSeen(msgid, true);
    expect(await state()).toEqual({ state: { location: 'inbox', read: true }, purged: [] });

    gmail.archive(msgid);
    expect(gmail.where(msgid)?.folders).toEqual([ALL_MAIL]);
    expect(await state()).toEqual({ state: { location: 'archive', read: true }, purged: [] });

    gmail.moveToTrash(msgid);
    expect(gmail.where(msgid)?.folders).toEqual([TRASH]);
    expect(await state()).toEqual({ state: { location: 'trash', read: true }, purged: [] });

    gmail.moveToInbox(msgid);
    expect(await state()).toEqual({ state: { location: 'inbox', read: true }, purged: [] });
    // Same X-GM-MSGID, new UID: the id survives the trip to Trash and back.
    expect(gmail.uidIn(msgid, 'INBOX')).toBeGreaterThan(inboxUid ?? Number.MAX_SAFE_INTEGER);

    gmail.markSpam(msgid);
    expect(await state()).toEqual({ state: { location: 'archive', read: true }, purged: [] });

    gmail.moveToTrash(msgid);
    expect((await state()).state?.location).toBe('trash');
    gmail.purge(msgid);
    expect(await state()).toEqual({ state: undefined, purged: [emailId] });
  });

  it('wakes from IDLE on INBOX: new mail, read elsewhere, read by the actuator, archived', async () => {
    const wakesOn = async (change: () => Promise<unknown> | unknown, timeoutMs = 10_000) => {
      await watcher.look();
      const waiting = watcher.waitForChange(timeoutMs);
      await new Promise((r) => setTimeout(r, 100));
      await change();
      return waiting;
    };
    // Control: nothing changes, nothing wakes it.
    expect(await wakesOn(() => undefined, 600)).toBe('timeout');
    let msgid = '';
    expect(await wakesOn(() => (msgid = gmail.deliver(notification())))).toBe('changed');
    const emailId = `gm:${msgid}`;
    expect((await watcher.look()).emails.get(emailId)?.state).toEqual({
      location: 'inbox',
      read: false,
    });
    expect(await wakesOn(() => gmail.setSeen(msgid, true))).toBe('changed');
    expect((await watcher.look()).emails.get(emailId)?.state.read).toBe(true);
    expect(
      await wakesOn(() => applyMailAction(actor, emailId, 'ensure-unread', async () => {})),
    ).toBe('changed');
    expect((await watcher.look()).emails.get(emailId)?.state.read).toBe(false);
    expect(await wakesOn(() => gmail.archive(msgid))).toBe('changed');
    expect((await watcher.look([emailId])).emails.get(emailId)?.state.location).toBe('archive');
  });

  it('applies the mail actions by X-GM-MSGID, never by a stored UID', async () => {
    const msgid = gmail.deliver(notification());
    const emailId = `gm:${msgid}`;
    const intents: string[] = [];
    const apply = (action: Parameters<typeof applyMailAction>[2]) =>
      applyMailAction(actor, emailId, action, async () => void intents.push(action));

    gmail.commands.length = 0; // from here on: the actuator's session only
    // The user moves it around first: every UID vmsync could have stored is stale.
    const firstUid = gmail.uidIn(msgid, 'INBOX');
    gmail.moveToTrash(msgid);
    gmail.moveToInbox(msgid);
    expect(gmail.uidIn(msgid, 'INBOX')).not.toBe(firstUid);

    expect(await apply('ensure-read')).toMatchObject({ kind: 'applied', after: { read: true } });
    expect(gmail.where(msgid)).toMatchObject({ folders: ['INBOX', ALL_MAIL], seen: true });
    expect(await apply('ensure-read')).toMatchObject({ kind: 'already' });

    // Delete = MOVE to \Trash: the message leaves INBOX and All Mail.
    expect(await apply('ensure-trash')).toMatchObject({
      kind: 'applied',
      before: { location: 'inbox' },
      after: { location: 'trash', read: true },
    });
    expect(gmail.where(msgid)?.folders).toEqual([TRASH]);

    // From Trash back to the Inbox: MOVE; the id is the same, so is its All Mail copy.
    expect(await apply('ensure-inbox')).toMatchObject({
      kind: 'applied',
      after: { location: 'inbox' },
    });
    expect(gmail.where(msgid)).toMatchObject({ folders: ['INBOX', ALL_MAIL], labels: ['\\Inbox'] });

    // Archived by the user: restoring is a COPY to INBOX (the label), All Mail keeps it.
    gmail.archive(msgid);
    expect(await apply('ensure-inbox')).toMatchObject({
      kind: 'applied',
      before: { location: 'archive' },
      after: { location: 'inbox' },
    });
    expect(gmail.where(msgid)?.folders).toEqual(['INBOX', ALL_MAIL]);

    expect(await apply('ensure-unread')).toMatchObject({ kind: 'applied', after: { read: false } });
    expect(gmail.where(msgid)?.seen).toBe(false);

    // Archived, then deleted by vmsync: MOVE from All Mail to Trash.
    gmail.archive(msgid);
    expect(await apply('ensure-trash')).toMatchObject({
      kind: 'applied',
      before: { location: 'archive' },
      after: { location: 'trash' },
    });
    expect(gmail.where(msgid)?.folders).toEqual([TRASH]);

    // Marked spam by the user (Spam is not in All Mail): back to the Inbox by COPY from Spam.
    gmail.moveToInbox(msgid);
    gmail.markSpam(msgid);
    expect(await apply('ensure-inbox')).toMatchObject({
      kind: 'applied',
      before: { location: 'archive' },
      after: { location: 'inbox' },
    });

    expect(intents).toEqual([
      'ensure-read',
      'ensure-trash',
      'ensure-inbox',
      'ensure-inbox',
      'ensure-unread',
      'ensure-trash',
      'ensure-inbox',
    ]);
    // On the wire: each change is preceded by a search for the X-GM-MSGID; deletion is MOVE
    // to the \Trash folder; restoring an archived email is COPY to INBOX; never an EXPUNGE.
    const changes = gmail.commands.filter((c) => /^UID (STORE|MOVE|COPY) /.test(c));
    expect(changes.map((c) => c.replace(/^UID (\w+) \d+ /, 'UID $1 n '))).toEqual([
      'UID STORE n +FLAGS.SILENT (\\Seen)',
      `UID MOVE n "${TRASH}"`,
      'UID MOVE n INBOX',
      'UID COPY n INBOX',
      'UID STORE n -FLAGS.SILENT (\\Seen)',
      `UID MOVE n "${TRASH}"`,
      'UID COPY n INBOX',
    ]);
    let searched = false;
    for (const c of gmail.commands) {
      if (c === `UID SEARCH X-GM-MSGID ${msgid}`) searched = true;
      if (changes.includes(c)) {
        expect(searched, c).toBe(true);
        searched = false;
      }
    }
    expect(gmail.commands.some((c) => /EXPUNGE/.test(c))).toBe(false);
    expect(await applyMailAction(actor, 'gm:1', 'ensure-read', async () => {})).toEqual({
      kind: 'not-found',
    });
  });

  it('answers a refused token as Gmail does (XOAUTH2 error challenge); the connector mints a fresh one', async () => {
    let stale = true;
    const expiring = new ImapConnector(loadMailDomains(join(dir, 'domains.json')), {
      login: { ratePerSecond: 20, burst: 20 },
      keepAliveMs: 0,
      wrapCredential: () => ({
        accessToken: async () => (stale ? 'ya29.expired' : TOKEN),
        invalidate: () => {
          stale = false;
        },
      }),
    });
    const client = await expiring.connect(USER);
    expect(client.usable).toBe(true);
    expect(stale).toBe(false);
    await client.logout();
  });
});
