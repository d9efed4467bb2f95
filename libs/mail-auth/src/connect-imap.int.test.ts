import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectImap, type ImapConnectOptions } from './connect-imap.js';
import { GoogleServiceAccountCredential } from './google-service-account-credential.js';
import type { MailAuthError } from './mail-auth-error.js';
import { stackEnv } from './test-stack-env.js';

const env = stackEnv(
  'VMSYNC_GOOGLE_TOKEN_URL',
  'VMSYNC_TEST_SA_KEY',
  'VMSYNC_TEST_USERS',
  'VMSYNC_IMAP_HOST',
  'VMSYNC_IMAP_PORT',
  'VMSYNC_IMAP_PLAIN_PORT',
  'VMSYNC_IMAP_TLS_CA',
  'VMSYNC_IMAP_SERVERNAME',
  'VMSYNC_IMAP_MASTER_USER',
  'VMSYNC_IMAP_MASTER_PASSWORD',
  'VMSYNC_IMAP_MASTER_SEPARATOR',
);
const ca = readFileSync(env.VMSYNC_IMAP_TLS_CA, 'utf8');
const users = env.VMSYNC_TEST_USERS.split(',');
// Each test its own mailbox; the credential tests use user1.
const user = (n: number) => {
  const u = users[n - 1];
  if (u === undefined)
    throw new Error(`the stack has ${users.length} users; these tests need ${n}`);
  return u;
};
let sa: GoogleServiceAccountCredential;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: MailAuthError) => error,
  );
const open: ImapFlow[] = [];

beforeAll(async () => {
  sa = await GoogleServiceAccountCredential.fromFile(env.VMSYNC_TEST_SA_KEY, {
    tokenUrl: env.VMSYNC_GOOGLE_TOKEN_URL,
  });
});
afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.logout()));
});

async function login(u: string, over: Partial<ImapConnectOptions> = {}): Promise<ImapFlow> {
  const client = await connectImap({
    host: env.VMSYNC_IMAP_HOST,
    port: Number(env.VMSYNC_IMAP_PORT),
    tls: { ca, servername: env.VMSYNC_IMAP_SERVERNAME },
    user: u,
    accessToken: await sa.accessToken(u),
    ...over,
  });
  open.push(client);
  return client;
}

/** One raw IMAP exchange over TLS: AUTHENTICATE XOAUTH2 as Gmail clients send it. */
function xoauth2(u: string, token: string): Promise<string> {
  const payload = Buffer.from(`user=${u}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: env.VMSYNC_IMAP_HOST,
      port: Number(env.VMSYNC_IMAP_PORT),
      ca,
      servername: env.VMSYNC_IMAP_SERVERNAME,
    });
    let seen = '';
    let sent = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      seen += chunk;
      if (!sent && seen.includes('* OK')) {
        sent = true;
        socket.write(`a AUTHENTICATE XOAUTH2 ${payload}\r\n`);
      }
      // A refusal comes as a "+ <base64 JSON>" challenge that the client must answer empty.
      if (/^\+ /m.test(chunk)) socket.write('\r\n');
      const done = /^a (OK|NO|BAD).*$/m.exec(seen);
      if (done) {
        socket.end('b LOGOUT\r\n');
        resolve(done[0]);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => reject(new Error(`no answer; got: ${seen}`)));
  });
}

describe('connectImap against Dovecot with tokens from the token endpoint', () => {
  it('logs in over TLS (OAUTHBEARER) and offers IDLE, CONDSTORE, QRESYNC, MOVE', async () => {
    const client = await login(user(2));
    expect(client.authenticated).toBeTruthy();
    expect(client.usable).toBe(true);
    for (const cap of ['IDLE', 'CONDSTORE', 'QRESYNC', 'MOVE', 'UIDPLUS', 'SPECIAL-USE']) {
      expect(client.capabilities.has(cap), cap).toBe(true);
    }
  });

  it('finds Trash by \\Trash and [Gmail]/All Mail by \\All', async () => {
    const client = await login(user(3));
    const boxes = await client.list();
    expect(boxes.find((b) => b.specialUse === '\\Trash')?.path).toBe('Trash');
    expect(boxes.find((b) => b.specialUse === '\\All')?.path).toBe('[Gmail]/All Mail');
  });

  it('logs in with XOAUTH2 too', async () => {
    expect(await xoauth2(user(4), await sa.accessToken(user(4)))).toMatch(/^a OK/);
  });

  it('logs in on the plain port only through STARTTLS', async () => {
    const client = await login(user(5), {
      secure: false,
      port: Number(env.VMSYNC_IMAP_PLAIN_PORT),
    });
    expect(client.secureConnection).toBe(true);
  });

  it("refuses user A's token for user B (OAUTHBEARER and XOAUTH2)", async () => {
    const tokenA = await sa.accessToken(user(6));
    const error = await failure(
      connectImap({
        host: env.VMSYNC_IMAP_HOST,
        port: Number(env.VMSYNC_IMAP_PORT),
        tls: { ca, servername: env.VMSYNC_IMAP_SERVERNAME },
        user: user(7),
        accessToken: tokenA,
      }),
    );
    expect(error).toMatchObject({ code: 'IMAP_AUTH_FAILED', retriable: true });
    expect(error.message).toContain(user(7));
    expect(await xoauth2(user(7), tokenA)).toMatch(/^a NO/);
  });

  it('refuses a server whose certificate it was not told to trust', async () => {
    const error = await failure(
      connectImap({
        host: env.VMSYNC_IMAP_HOST,
        port: Number(env.VMSYNC_IMAP_PORT),
        user: user(8),
        accessToken: await sa.accessToken(user(8)),
      }),
    );
    expect(error).toMatchObject({ code: 'IMAP_TLS_UNTRUSTED', retriable: false });
  });

  it('sees a message the master user appended, in INBOX and in [Gmail]/All Mail', async () => {
    const u = user(9);
    const master = new ImapFlow({
      host: env.VMSYNC_IMAP_HOST,
      port: Number(env.VMSYNC_IMAP_PORT),
      secure: true,
      servername: env.VMSYNC_IMAP_SERVERNAME,
      tls: { ca: [ca] },
      auth: {
        user: `${u}${env.VMSYNC_IMAP_MASTER_SEPARATOR}${env.VMSYNC_IMAP_MASTER_USER}`,
        pass: env.VMSYNC_IMAP_MASTER_PASSWORD,
      },
      logger: false,
    });
    await master.connect();
    const subject = `vmsync int ${Date.now()}`;
    await master.append(
      'INBOX',
      `From: pbx@example.test\r\nTo: ${u}\r\nSubject: ${subject}\r\n\r\nhello\r\n`,
    );
    await master.logout();

    const client = await login(u);
    const all = await client.status('[Gmail]/All Mail', { messages: true });
    expect(all === false ? 0 : all.messages).toBeGreaterThanOrEqual(1);
    const lock = await client.getMailboxLock('INBOX');
    try {
      const found = await client.search({ subject });
      expect(found === false ? -1 : found?.length).toBe(1);
    } finally {
      lock.release();
    }
  });
});
