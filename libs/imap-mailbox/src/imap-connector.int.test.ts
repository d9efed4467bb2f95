import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Store } from '@vmsync/store';
import type { ImapFlow } from 'imapflow';
import { afterAll, describe, expect, it } from 'vitest';
import { ImapConnector } from './imap-connector.adapter.js';
import { loadMailDomains } from './mail-domains.js';
import { RedisTokenCache } from './redis-token-cache.js';
import { stackEnv, writeTestDomainsFile } from './testing/index.js';

const env = stackEnv();
const socketOf = (client: ImapFlow) => (client as unknown as { socket: TLSSocket }).socket;
/** A connector of its own: its TLS sessions are its own too. */
const newConnector = () =>
  new ImapConnector(loadMailDomains(writeTestDomainsFile(env)), {
    login: { ratePerSecond: 20, burst: 20 },
    keepAliveMs: 0,
  });

describe('ImapConnector TLS sessions (real Dovecot)', () => {
  const open: ImapFlow[] = [];
  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.logout()));
  });

  it('resumes the TLS session of the login before, with the certificate checked on the first', async () => {
    const connector = newConnector();
    const first = await connector.connect('user10@example.test');
    open.push(first);
    expect(socketOf(first).isSessionReused()).toBe(false);
    expect(socketOf(first).authorized).toBe(true);
    // The stack's Dovecot runs two TLS (imap-login) processes, each with its own ticket key:
    // a login reaching the other one gets a full handshake and a session from that one.
    let resumed: ImapFlow | undefined;
    for (let attempt = 0; attempt < 16 && resumed === undefined; attempt++) {
      const next = await connector.connect('user11@example.test');
      if (socketOf(next).isSessionReused()) resumed = next;
      else await next.logout();
    }
    expect(resumed).toBeDefined();
    open.push(resumed as ImapFlow);
    // A resumed session is a logged-in, working connection like any other.
    const status = await (resumed as ImapFlow).status('INBOX', { messages: true });
    expect(status ? status.messages : -1).toBeGreaterThanOrEqual(0);
  });

  it('offers nothing to a connector that never connected (each domain entry has its own)', async () => {
    const connector = newConnector();
    const client = await connector.connect('user10@example.test');
    open.push(client);
    expect(socketOf(client).isSessionReused()).toBe(false);
  });
});

describe('ImapConnector with tokens shared through Redis (real token endpoint, Dovecot, Redis)', () => {
  const open: ImapFlow[] = [];
  const store = new Store({
    url: process.env.VMSYNC_REDIS_URL as string,
    prefix: `test-${randomUUID()}`,
  });
  /** The stack's token endpoint behind a relay that counts the grants asked for. */
  const grants: string[] = [];
  const relay = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', async () => {
      const assertion = new URLSearchParams(body).get('assertion') ?? '';
      const claims = JSON.parse(
        Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString() || '{}',
      ) as { sub?: string };
      grants.push(claims.sub ?? '?');
      const answer = await fetch(env.VMSYNC_GOOGLE_TOKEN_URL, {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body,
      });
      res.statusCode = answer.status;
      res.setHeader('content-type', answer.headers.get('content-type') ?? 'application/json');
      res.end(await answer.text());
    });
  });
  const connectorSharing = (tokenUrl: string) =>
    new ImapConnector(
      loadMailDomains(writeTestDomainsFile({ ...env, VMSYNC_GOOGLE_TOKEN_URL: tokenUrl })),
      {
        login: { ratePerSecond: 20, burst: 20 },
        keepAliveMs: 0,
        sharedTokens: new RedisTokenCache(store),
      },
    );
  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.logout()));
    const keys = await store.redis.keys(`${store.prefix}:*`);
    if (keys.length > 0)
      await store.redis.del(...keys.map((k) => k.slice(store.prefix.length + 1)));
    await store.close();
    relay.close();
  });

  it('a restarted process logs in with the token minted before it; a fresh login mints anew', async () => {
    await store.connect();
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const tokenUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/token`;
    const account = 'user12@example.test';

    open.push(await connectorSharing(tokenUrl).connect(account));
    expect(grants).toEqual([account]);
    // What Redis holds for it is sealed: no bearer token in clear.
    const keys = await store.redis.keys(`${store.prefix}:access-token:*`);
    expect(keys).toHaveLength(1);
    const sealed = await store.redis.get((keys[0] as string).slice(store.prefix.length + 1));
    expect(sealed).not.toMatch(/ya29|Bearer|user12/);
    expect(
      await store.redis.pttl((keys[0] as string).slice(store.prefix.length + 1)),
    ).toBeGreaterThan(60_000);

    // "After a restart": another connector, the same Redis.
    const restarted = connectorSharing(tokenUrl);
    const client = await restarted.connect(account);
    open.push(client);
    expect(grants).toEqual([account]);
    const status = await client.status('INBOX', { messages: true });
    expect(status ? status.messages : -1).toBeGreaterThanOrEqual(0);

    // A reconnect after a failure asks for a fresh token, and it replaces the shared one.
    open.push(await restarted.connect(account, { fresh: true }));
    expect(grants).toEqual([account, account]);
    open.push(await connectorSharing(tokenUrl).connect(account));
    expect(grants).toEqual([account, account]);
  });
});
